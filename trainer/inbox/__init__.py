"""The NLU inbox: customer messages from the tracker store, triaged and annotated."""
