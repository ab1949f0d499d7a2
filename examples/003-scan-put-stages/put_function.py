"""POST /students (Lambda non-proxy integration): the API request body *is* the event; store it in DynamoDB.

Each stage calls its own alias of this function (dev, test, prod), and each alias points at a version published
with that stage's table in TABLE_NAME.
"""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    print("Received event:", json.dumps(event))
    if "id" not in event:
        # Matched by the integration response's selection pattern "Bad Request:.*", which answers 400.
        raise ValueError("Bad Request: 'id' is required")
    table.put_item(Item=json.loads(json.dumps(event), parse_float=Decimal))  # boto3 wants Decimal, not float
    return {"message": f"Student {event['id']} saved", "table": table.name}
