"""The sam-api example's TOKEN authorizer: the token "allow" is let in."""


def handler(event, context):
    token = event.get("authorizationToken", "")
    effect = "Allow" if token == "allow" else "Deny"
    return {
        "principalId": "user-" + token,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
    }
