"""Attribution models and the registry that loads them by architecture name."""

from claimcheck.models.registry import REGISTRY, ModelError, load_model, register, save_model

__all__ = ["REGISTRY", "ModelError", "load_model", "register", "save_model"]
