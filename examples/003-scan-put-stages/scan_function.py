"""GET /students (Lambda proxy integration): scan the stage's table and return its records.

The table comes from the stage variable `table`, which API Gateway puts in the proxy event.
"""

import json
from decimal import Decimal

import boto3

dynamodb = boto3.resource("dynamodb")  # created once per environment, reused while it is warm


def as_json(value):
    """DynamoDB numbers come back as Decimal: whole ones as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serializable: {value!r}")


def lambda_handler(event, context):
    table = dynamodb.Table(event["stageVariables"]["table"])
    items = table.scan()["Items"]
    print(f"scanned {len(items)} records from {table.name}")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(items, default=as_json),
    }
