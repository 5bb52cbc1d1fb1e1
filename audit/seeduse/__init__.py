"""The seed-use model: how likely a sentence is about a neural network's random seed, and which
of Bethard's uses it is.

`features` turns a sentence (with its section, kind and neighbours) into feature names; `model`
scores sentences with a trained model; `training` fits one from labelled sentences; `gold` reads
gold files and matches their sentences to extracted ones; `evaluation` measures a model on papers
it did not learn from.
"""
