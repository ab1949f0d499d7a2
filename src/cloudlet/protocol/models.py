"""botocore's service models: the machine-readable contract for every AWS API we speak."""

from __future__ import annotations

from functools import cache

import botocore.loaders
import botocore.model


@cache  # models are immutable data; loading one costs tens of milliseconds
def service_model(name: str) -> botocore.model.ServiceModel:
    loader = botocore.loaders.Loader()
    return botocore.model.ServiceModel(loader.load_service_model(name, "service-2"), name)
