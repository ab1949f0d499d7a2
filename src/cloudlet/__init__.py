"""cloudlet: API Gateway, Lambda, DynamoDB and CloudWatch Logs as one local program."""

__version__ = "0.1.0"
