"""Network rules that both the config loader and the fetchers apply: URL parsing, the host
allow list (:mod:`.urls`) and header checks (:mod:`.headers`).

This package imports nothing of ours, so ``inputs`` (below the fetchers) and
``sources`` may both use it; tests/test_layers.py holds it to that.
"""
