package template

import (
	"cmp"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// The resource types Portico builds, and those it skips.
const (
	typeFunction       = "AWS::Serverless::Function"
	typeSAMApi         = "AWS::Serverless::Api"
	typeSAMHttpApi     = "AWS::Serverless::HttpApi"
	typeLambdaFunction = "AWS::Lambda::Function"
	typeRestAPI        = "AWS::ApiGateway::RestApi"
	typeV2API          = "AWS::ApiGatewayV2::Api"
)

// supported are the types Portico builds; every other type is skipped.
var supported = map[string]bool{
	typeFunction: true, typeSAMApi: true, typeSAMHttpApi: true, typeLambdaFunction: true,
	typeRestAPI: true, "AWS::ApiGateway::Resource": true, "AWS::ApiGateway::Method": true,
	"AWS::ApiGateway::Deployment": true, "AWS::ApiGateway::Stage": true, "AWS::ApiGateway::Authorizer": true,
	"AWS::ApiGateway::GatewayResponse": true, "AWS::ApiGateway::ApiKey": true, "AWS::ApiGateway::UsagePlan": true,
	"AWS::ApiGateway::UsagePlanKey": true, "AWS::ApiGateway::Model": true, "AWS::ApiGateway::RequestValidator": true,
	typeV2API: true, "AWS::ApiGatewayV2::Route": true, "AWS::ApiGatewayV2::Integration": true,
	"AWS::ApiGatewayV2::Stage": true, "AWS::ApiGatewayV2::Deployment": true, "AWS::ApiGatewayV2::Authorizer": true,
	"AWS::ApiGatewayV2::RouteResponse": true, "AWS::ApiGatewayV2::IntegrationResponse": true,
}

// skipReason says why a type is skipped, for its warning.
func skipReason(typ string) string {
	switch {
	case strings.HasPrefix(typ, "AWS::IAM::"):
		return "IAM does not apply here: every function may call every API"
	case typ == "AWS::Lambda::Permission":
		return "API Gateway may invoke every local function here"
	case strings.HasPrefix(typ, "AWS::Logs::"):
		return "functions' logs go to Portico's log"
	case typ == "AWS::DynamoDB::Table" || typ == "AWS::Serverless::SimpleTable":
		return "there is no DynamoDB here: functions that use the table reach AWS's (or fail without credentials)"
	case typ == "AWS::ApiGateway::Account" || typ == "AWS::ApiGatewayV2::ApiMapping" || typ == "AWS::ApiGateway::BasePathMapping" ||
		typ == "AWS::ApiGateway::DomainName" || typ == "AWS::ApiGatewayV2::DomainName":
		return "custom domains and accounts do not apply: every API is served on Portico's listener"
	}
	return "Portico does not serve this type"
}

// classify marks the resources that are skipped, with a warning each.
func (l *loader) classify() {
	for _, r := range l.order {
		switch {
		case r.skip != "":
			l.warnf(r.key, r.where(), "%s skipped: %s", r.typ, r.skip)
		case !supported[r.typ]:
			r.skip = skipReason(r.typ)
			l.warnf(r.key, r.where(), "%s skipped: %s", r.typ, r.skip)
		}
	}
}

// ref evaluates Ref name.
func (l *loader) ref(name string, at *yaml.Node, key string) *yaml.Node {
	switch name {
	case "AWS::Region":
		return str(l.region, at)
	case "AWS::AccountId":
		return str(l.account, at)
	case "AWS::StackName":
		return str(l.stack, at)
	case "AWS::StackId":
		return str(fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", l.region, l.account, l.stack, config.StableAPIID(l.stack, nil)), at)
	case "AWS::Partition":
		return str("aws", at)
	case "AWS::URLSuffix":
		return str("amazonaws.com", at)
	case "AWS::NoValue":
		return noValue
	case "AWS::NotificationARNs":
		return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
	}
	if v, ok := l.params[name]; ok {
		return v
	}
	r := l.resources[name]
	if r == nil {
		if strings.HasPrefix(name, "AWS::") {
			l.errorf(at, key, "%s is not a pseudo parameter Portico knows (AWS::Region, AWS::AccountId, AWS::StackName, AWS::StackId, AWS::Partition, AWS::URLSuffix, AWS::NoValue, AWS::NotificationARNs)", name)
		} else {
			l.errorf(at, key, "Ref %s: no parameter or resource of that name", name)
		}
		return nil
	}
	id, ok := l.physical(r, at, key)
	if !ok {
		return nil
	}
	return str(id, at)
}

// physical returns what Ref returns for r: a function's name, an API's
// ID, a stage's name, else the logical ID.
func (l *loader) physical(r *resource, at *yaml.Node, key string) (string, bool) {
	if r.physical != "" {
		return r.physical, true
	}
	if r.busy {
		l.errorf(at, key, "%s refers to itself", r.id)
		return "", false
	}
	r.busy = true
	defer func() { r.busy = false }()
	if r.skip != "" {
		return l.standIn(r, at, key)
	}
	id := r.id
	named := func(prop string) bool {
		v := mapGet(r.raw, prop)
		if v == nil {
			return true
		}
		s := l.scalar(v, r.where()+".Properties."+prop)
		if s == nil {
			return false
		}
		id = s.Value
		return true
	}
	switch r.typ {
	case typeFunction, typeLambdaFunction:
		if !named("FunctionName") {
			return "", false
		}
	case typeSAMApi, typeRestAPI, typeSAMHttpApi, typeV2API:
		id = config.StableAPIID(r.id, func(s string) bool { return l.usedIDs[s] })
		l.usedIDs[id] = true
	case "AWS::ApiGatewayV2::Stage", "AWS::ApiGateway::Stage":
		if !named("StageName") {
			return "", false
		}
	case "AWS::ApiGateway::Model":
		if !named("Name") {
			return "", false
		}
	case "AWS::ApiGateway::Resource":
		id = resourceID(r.id)
	}
	r.physical = id
	return id, true
}

// standIn is what Ref returns for a skipped resource: the name its
// type's NameProperty gives (TableName for an AWS::DynamoDB::Table,
// BucketName, QueueName, ...), else its logical ID, so that templates
// that pass a table's name to a function still run. It warns once.
func (l *loader) standIn(r *resource, at *yaml.Node, key string) (string, bool) {
	id := r.id
	kind := r.typ[strings.LastIndex(r.typ, ":")+1:]
	if v := mapGet(r.raw, kind+"Name"); v != nil {
		s := l.scalar(v, r.where()+".Properties."+kind+"Name")
		if s == nil {
			return "", false
		}
		id = s.Value
	}
	l.warnf(at, key, "%s is a %s, which is skipped (%s); its Ref reads as %q", r.id, r.typ, r.skip, id)
	r.physical = id
	return id, true
}

// standInARN is what GetAtt X.Arn returns for a skipped resource: an ARN
// of its service's shape, arn:aws:SERVICE:REGION:ACCOUNT:KIND/NAME.
func (l *loader) standInARN(r *resource, name string) string {
	parts := strings.Split(r.typ, "::")
	if len(parts) != 3 {
		return name
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", strings.ToLower(parts[1]), l.region, l.account, strings.ToLower(parts[2]), name)
}

// resourceID is the ID of the REST resource with the logical ID: 10
// lowercase alphanumerics, as API Gateway's look.
func resourceID(logicalID string) string { return config.StableAPIID("resource/"+logicalID, nil) }

// functionARN is the ARN of the local function named name.
func (l *loader) functionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", l.region, l.account, name)
}

// invocationURI is API Gateway's invocation ARN around a function ARN.
func (l *loader) invocationURI(fnARN string) string {
	return fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", l.region, fnARN)
}

// getAtt evaluates Fn::GetAtt res.attr.
func (l *loader) getAtt(name, attr string, at *yaml.Node, key string) *yaml.Node {
	r := l.resources[name]
	if r == nil {
		l.errorf(at, key, "GetAtt %s.%s: no resource %s", name, attr, name)
		return nil
	}
	id, ok := l.physical(r, at, key)
	if !ok {
		return nil
	}
	switch {
	case r.skip != "" && attr == "Arn":
		return str(l.standInARN(r, id), at)
	case r.skip != "":
		l.warnf(at, key, "GetAtt %s.%s of a skipped %s reads as %q", name, attr, r.typ, id)
		return str(id, at)
	case (r.typ == typeFunction || r.typ == typeLambdaFunction) && attr == "Arn":
		return str(l.functionARN(id), at)
	case (r.typ == typeSAMApi || r.typ == typeRestAPI) && attr == "RootResourceId":
		return str(rootResourceID(id), at)
	case (r.typ == typeSAMHttpApi || r.typ == typeV2API) && attr == "ApiEndpoint":
		scheme := "https"
		if r.typ == typeV2API {
			if p := mapGet(r.raw, "ProtocolType"); p != nil && p.Value == "WEBSOCKET" {
				scheme = "wss"
			}
		}
		return str(fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com", scheme, id, l.region), at)
	case attr == "Id" || strings.HasSuffix(attr, "Id") && attr != "RootResourceId":
		return str(id, at)
	case attr == "Name":
		return str(cmp.Or(id, r.id), at)
	}
	l.errorf(at, key, "GetAtt %s.%s: Portico does not know the attribute %s of a %s", name, attr, attr, r.typ)
	return nil
}

// rootResourceID is the ID of the root resource of the REST API with the ID.
func rootResourceID(apiID string) string { return config.StableAPIID("root/"+apiID, nil) }
