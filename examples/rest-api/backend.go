package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// AllowToken is the Authorization value the TOKEN authorizer allows.
const AllowToken = "allow"

// Pet is one pet of the store.
type Pet struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Backend is everything behind the example's gateway, on one address:
//
//   - POST /lambda: the Lambda function of the AWS_PROXY methods. It
//     receives REST proxy events over HTTP and answers Lambda proxy
//     responses, with aws-lambda-go's events.APIGatewayProxyRequest and
//     events.APIGatewayProxyResponse, as a function deployed behind a REST
//     API would. The pets are kept in memory.
//   - POST /authorize: the TOKEN Lambda authorizer.
//   - POST /adopt: the function of the non-proxy (AWS) adopt method. It
//     receives what the method's request template made of the request,
//     not a proxy event, and its errors are mapped by the integration
//     responses.
//
// A Backend is safe for concurrent use.
type Backend struct {
	mux *http.ServeMux

	mu     sync.Mutex
	pets   []Pet // in ID order; guarded by mu
	nextID int   // guarded by mu
}

// NewBackend returns a backend holding two pets. A nil log discards.
func NewBackend(log *slog.Logger) *Backend {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Backend{
		mux:    http.NewServeMux(),
		pets:   []Pet{{"1", "Rex", "dog"}, {"2", "Tom", "cat"}},
		nextID: 3,
	}
	b.mux.Handle("POST /lambda", lambdaHandler(b.function, log))
	b.mux.Handle("POST /authorize", lambdaHandler(b.authorize, log))
	b.mux.Handle("POST /adopt", lambdaHandler(b.adopt, log))
	return b
}

// ServeHTTP serves the backend's endpoints.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

// lambdaHandler serves fn the way a Lambda runtime runs a handler: the body
// is the event, decoded into In; fn's result is encoded as the response. An
// error is reported as a function error (X-Amz-Function-Error, which the
// gateway answers with 502).
func lambdaHandler[In, Out any](fn func(context.Context, In) (Out, error), log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in In
		err := json.NewDecoder(io.LimitReader(r.Body, 10<<20)).Decode(&in)
		var out Out
		if err == nil {
			out, err = fn(r.Context(), in)
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			log.Warn("function failed", "path", r.URL.Path, "error", err)
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	})
}

// function is the Lambda function behind the AWS_PROXY methods. Like a
// function shared by several methods, it dispatches on the event's
// resource (the template, "/pets/{petId}") and method.
func (b *Backend) function(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := ev.PathParameters["petId"]
	switch ev.HTTPMethod + " " + ev.Resource {
	case "GET /pets":
		b.mu.Lock()
		pets := append([]Pet(nil), b.pets...)
		b.mu.Unlock()
		return jsonResponse(http.StatusOK, map[string]any{"store": ev.StageVariables["storeName"], "pets": pets})

	case "GET /pets/{petId}":
		pet, ok := b.find(id)
		if !ok {
			return jsonResponse(http.StatusNotFound, map[string]string{"message": "no pet " + id})
		}
		// The event's paths: resource is the template, path is without the
		// stage, requestContext.path with it.
		return jsonResponse(http.StatusOK, struct {
			Pet         Pet    `json:"pet"`
			Resource    string `json:"resource"`
			Path        string `json:"path"`
			ContextPath string `json:"requestContext.path"`
		}{pet, ev.Resource, ev.Path, ev.RequestContext.Path})

	case "POST /pets":
		body := []byte(ev.Body)
		if ev.IsBase64Encoded {
			var err error
			if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
				return events.APIGatewayProxyResponse{}, fmt.Errorf("decoding the body: %w", err)
			}
		}
		var pet Pet
		if err := json.Unmarshal(body, &pet); err != nil || pet.Name == "" || pet.Type == "" {
			return jsonResponse(http.StatusBadRequest, map[string]string{"message": `want {"name": "...", "type": "..."}`})
		}
		b.mu.Lock()
		pet.ID = strconv.Itoa(b.nextID)
		b.nextID++
		b.pets = append(b.pets, pet)
		b.mu.Unlock()
		// The gateway puts the caller's API key ID in the event.
		return jsonResponse(http.StatusCreated, map[string]any{"pet": pet, "apiKeyId": ev.RequestContext.Identity.APIKeyID})

	case "DELETE /pets/{petId}":
		b.mu.Lock()
		found := false
		for i, p := range b.pets {
			if p.ID == id {
				b.pets = append(b.pets[:i], b.pets[i+1:]...)
				found = true
				break
			}
		}
		b.mu.Unlock()
		if !found {
			return jsonResponse(http.StatusNotFound, map[string]string{"message": "no pet " + id})
		}
		// The authorizer's principalId and context, as the gateway passes
		// them on.
		auth := ev.RequestContext.Authorizer
		return jsonResponse(http.StatusOK, map[string]any{"deleted": id, "principalId": auth["principalId"], "role": auth["role"]})
	}
	return jsonResponse(http.StatusNotFound, map[string]string{"message": "no handler for " + ev.HTTPMethod + " " + ev.Resource})
}

// Adoption is the adopt function's input, as the method's request
// template writes it.
type Adoption struct {
	PetID   string `json:"petId"`
	Adopter string `json:"adopter"`
}

// Adopted is the adopt function's answer.
type Adopted struct {
	Adopter string `json:"adopter"`
	Pet     Pet    `json:"pet"`
}

// adopt is the non-proxy function: an unknown pet is an error whose
// message starts with "Invalid", which the method's selectionPattern
// Invalid.* maps to 400.
func (b *Backend) adopt(_ context.Context, in Adoption) (Adopted, error) {
	p, ok := b.find(in.PetID)
	if !ok {
		return Adopted{}, fmt.Errorf("Invalid pet: there is no pet %s", in.PetID)
	}
	return Adopted{Adopter: in.Adopter, Pet: p}, nil
}

// find returns the pet with the ID.
func (b *Backend) find(id string) (Pet, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.pets {
		if p.ID == id {
			return p, true
		}
	}
	return Pet{}, false
}

// jsonResponse is a Lambda proxy response with a JSON body.
func jsonResponse(status int, v any) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body) + "\n",
	}, nil
}

// authorize is the TOKEN Lambda authorizer. The token AllowToken gets an
// Allow policy for every method of the API's stage (so that the gateway's
// cached policy also covers the other pets) with a context; any other
// token an explicit Deny.
func (b *Backend) authorize(_ context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	// methodArn is arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH.
	parts := strings.SplitN(ev.MethodArn, "/", 3)
	if len(parts) < 3 {
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("unexpected methodArn %q", ev.MethodArn)
	}
	effect, authContext := "Deny", map[string]any(nil)
	if ev.AuthorizationToken == AllowToken {
		effect, authContext = "Allow", map[string]any{"role": "keeper"}
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "demo-user",
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{parts[0] + "/" + parts[1] + "/*"},
			}},
		},
		Context: authContext,
	}, nil
}
