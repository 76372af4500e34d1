"""The package version, in a module of its own that imports nothing: the model registry
stamps saved models with it and the service reports it, without importing the package."""

__version__ = "0.1.0"
