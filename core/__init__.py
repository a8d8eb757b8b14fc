"""The base layer: what two or more apps need, written once. Imports no app of ours."""
