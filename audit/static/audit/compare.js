// Fills the scores box with one of the example files, so that a first visit can try the page
// in one click. Without script the same files are plain download links under "CSV formats".
document.querySelectorAll("[data-example]").forEach((button) => {
  button.addEventListener("click", async () => {
    const response = await fetch(button.dataset.example);
    const box = document.getElementById("id_scores");
    box.value = await response.text();
    box.focus();
  });
});
