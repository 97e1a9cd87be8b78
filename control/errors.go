package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Every error the control plane answers, as the REST-JSON protocol
// carries it: the header x-amzn-ErrorType names the exception (botocore
// and the SDKs read it) and the body is {"message":"…"}, plus
// resourceType for NotFoundException. Messages follow AWS's where they
// are known (reference/control-plane.md §3.2).

// apiError is an error answer of the control plane: handlers turn every
// failure into one.
type apiError struct {
	Status int
	// Type is the exception's name: NotFoundException, BadRequestException, ...
	Type    string
	Message string
	// ResourceType is NotFoundException's resourceType, when known.
	ResourceType string
}

// Error returns "Type: Message".
func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func (e *apiError) write(w http.ResponseWriter) {
	body, _ := json.Marshal(struct {
		Message      string `json:"message"`
		ResourceType string `json:"resourceType,omitempty"`
	}{e.Message, e.ResourceType})
	h := w.Header()
	h.Set("x-amzn-ErrorType", e.Type)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "BadRequestException", Message: fmt.Sprintf(format, args...)}
}

func notFound(resourceType, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: "NotFoundException", Message: fmt.Sprintf(format, args...), ResourceType: resourceType}
}

func conflict(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Type: "ConflictException", Message: fmt.Sprintf(format, args...)}
}

// The not-found answers, one per resource (moto's wording, which is AWS's).
func errNoAPI(id string) *apiError {
	return notFound("Api", "Invalid API identifier specified %s", id)
}
func errNoRoute(id string) *apiError {
	return notFound("Route", "Invalid Route identifier specified %s", id)
}
func errNoIntegration(id string) *apiError {
	return notFound("Integration", "Invalid Integration identifier specified %s", id)
}
func errNoRouteResponse(id string) *apiError {
	return notFound("RouteResponse", "Invalid RouteResponse identifier specified %s", id)
}
func errNoIntegrationResponse(id string) *apiError {
	return notFound("IntegrationResponse", "Invalid IntegrationResponse identifier specified %s", id)
}
func errNoAuthorizer(id string) *apiError {
	return notFound("Authorizer", "Invalid Authorizer identifier specified %s", id)
}
func errNoStage(name string) *apiError {
	return notFound("Stage", "Invalid stage identifier specified %s", name)
}
func errNoDeployment(id string) *apiError {
	return notFound("Deployment", "Invalid Deployment identifier specified %s", id)
}

var (
	errProtocol   = badRequest("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
	errBadJSON    = badRequest("Invalid request body: want a JSON object")
	errTooLarge   = badRequest("Request body too large")
	errMissingKey = &apiError{Status: http.StatusForbidden, Type: "MissingAuthenticationTokenException", Message: "Missing Authentication Token"}
	errConflict   = conflict("The API was changed by another request at the same time; retry")
	errStore      = &apiError{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailableException", Message: "The control plane's store is unavailable"}
)

// errFileManaged refuses a change to an API that the configuration file
// manages.
func errFileManaged(id string) *apiError {
	return badRequest("API %s is managed by the configuration file; change it there (the control plane changes only the APIs it created)", id)
}

// errUnsupported answers an apigatewayv2 operation that Portico does not
// serve.
func errUnsupported(op string) *apiError {
	return badRequest("Portico does not support the apigatewayv2 operation %s", op)
}

// storeError is the answer to a Store failure: 503 ServiceUnavailableException,
// with the reason of an *UnavailableError (JetStream not enabled, no
// quorum), or 400 BadRequestException for a value the store refuses as
// too large.
func storeError(err error) *apiError {
	var u *UnavailableError
	switch {
	case errors.As(err, &u):
		return &apiError{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailableException",
			Message: "The control plane's store is unavailable: " + u.Reason}
	case errors.Is(err, ErrTooLarge):
		return badRequest("The API's state is too large for the control plane's store (%s)", strings.TrimPrefix(err.Error(), ErrTooLarge.Error()+": "))
	}
	return errStore
}

// The apigateway (v1) answers, with AWS's messages.
var (
	errNoRestAPI            = notFound("", "Invalid Rest API Id specified")
	errNoResource           = notFound("", "Invalid Resource identifier specified")
	errNoMethod             = notFound("", "Invalid Method identifier specified")
	errNoIntegrationV1      = notFound("", "No integration defined for method")
	errNoResponseV1         = notFound("", "Invalid Response status code specified")
	errNoStageV1            = notFound("", "Invalid stage identifier specified")
	errNoDeploymentV1       = notFound("", "Invalid Deployment identifier specified")
	errNoMethods            = badRequest("The REST API doesn't contain any methods")
	errUnsupportedPatchPath = func(op, path string) *apiError {
		return badRequest("Invalid patch path '%s' specified for op '%s'", path, op)
	}
)

// errFileManagedRest refuses a change to a REST API that the
// configuration file manages.
func errFileManagedRest(id string) *apiError {
	return badRequest("REST API %s is managed by the configuration file; change it there (the control plane changes only the APIs it created)", id)
}
