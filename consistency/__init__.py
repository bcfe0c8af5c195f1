"""consistency: catch a company contradicting itself across its sales and support channels."""

__version__ = "0.1.0"
