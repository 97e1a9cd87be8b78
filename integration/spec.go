package integration

import (
	"fmt"
	"time"

	"github.com/portico-gw/portico/config"
)

// SpecFromConfig converts the integration in of api into a Spec: the one
// conversion every mode uses. What differs by mode is said by explicit
// fields: on HTTP APIs an AWS_PROXY result is read by the rules of its
// payloadFormatVersion (zero means 2.0, the format AWS's console and quick
// create use) and an HTTP_PROXY request is built by the mode
// (ModeMapsRequest); WebSocket APIs read results strictly. It rejects a
// payloadFormatVersion other than 1.0 or 2.0, and 2.0 on anything but
// AWS_PROXY.
func SpecFromConfig(api *config.API, in *config.Integration) (Spec, error) {
	spec := Spec{
		Type:                        in.IntegrationType,
		URI:                         in.IntegrationURI,
		Method:                      in.IntegrationMethod,
		Timeout:                     time.Duration(in.TimeoutInMillis) * time.Millisecond,
		RequestParameters:           in.RequestParameters,
		RequestTemplates:            in.RequestTemplates,
		TemplateSelectionExpression: in.TemplateSelectionExpression,
		PassthroughBehavior:         in.PassthroughBehavior,
	}
	for _, r := range in.IntegrationResponses {
		spec.Responses = append(spec.Responses, ResponseSpec{
			Key:                         r.IntegrationResponseKey,
			TemplateSelectionExpression: r.TemplateSelectionExpression,
			Templates:                   r.ResponseTemplates,
		})
	}
	switch v := in.PayloadFormatVersion; v {
	case "", payloadFormat10:
	case payloadFormat20:
		if in.IntegrationType != "AWS_PROXY" {
			return Spec{}, fmt.Errorf("payloadFormatVersion 2.0 is for AWS_PROXY integrations; %s takes 1.0", in.IntegrationType)
		}
	default:
		return Spec{}, fmt.Errorf("payloadFormatVersion %q; want 1.0 or 2.0", v)
	}
	if api.ProtocolType == "HTTP" {
		switch in.IntegrationType {
		case "AWS_PROXY":
			spec.ProxyResponse = ProxyResponseHTTPV2
			if PayloadFormat(api, in) == payloadFormat10 {
				spec.ProxyResponse = ProxyResponseHTTPV1
			}
		case "HTTP_PROXY":
			spec.ModeMapsRequest = true
		}
	}
	return spec, nil
}

// PayloadFormat returns the payload format version of the events an HTTP
// API's AWS_PROXY integration receives: its payloadFormatVersion, "2.0"
// when absent. Other integrations and other modes answer "1.0".
func PayloadFormat(api *config.API, in *config.Integration) string {
	if api.ProtocolType == "HTTP" && in.IntegrationType == "AWS_PROXY" && in.PayloadFormatVersion != payloadFormat10 {
		return payloadFormat20
	}
	return payloadFormat10
}
