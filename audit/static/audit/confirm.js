// Forms that destroy or stop something ask first: <form data-confirm="Delete this paper?">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
