"""API Gateway mapping templates (Velocity) for REST API integrations: `$input`, `$util`, `$context`,
`$stageVariables`, request/response overrides. See engine.TemplateEngine.
"""

from cloudlet.services.apigateway.execute.mapping.engine import TemplateEngine
from cloudlet.services.apigateway.execute.mapping.model import MappingError, MappingInput, Rendered

__all__ = ["MappingError", "MappingInput", "Rendered", "TemplateEngine"]
