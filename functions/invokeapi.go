package functions

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/uuid"

	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/sigv4"
)

// InvokeAPIConfig configures the Lambda Invoke endpoint.
type InvokeAPIConfig struct {
	// Credentials are the SigV4 keys accepted (access key ID → secret),
	// for service lambda.
	Credentials map[string]string
	// AllowUnsigned accepts unsigned requests, and only from loopback
	// addresses. Signed requests are still verified.
	AllowUnsigned bool
	// Region, when set, is the only region accepted in signatures.
	Region string
	// Logger receives refused signatures at debug level. Nil means discard.
	Logger *slog.Logger
}

// InvokePath is the pattern of the Lambda Invoke API, for an http.ServeMux.
const InvokePath = "POST /2015-03-31/functions/{name}/invocations"

// InvokeHandler serves the Lambda Invoke API for the Runtime's functions,
// so that the SDKs' Lambda clients and `aws lambda invoke --endpoint-url`
// reach them: POST /2015-03-31/functions/{name}/invocations with
// X-Amz-Invocation-Type (RequestResponse, Event → 202, DryRun → 204),
// X-Amz-Log-Type: Tail (→ X-Amz-Log-Result), X-Amz-Client-Context and
// ?Qualifier=. It answers with the payload, X-Amz-Executed-Version and,
// when the function failed, X-Amz-Function-Error. A name the Runtime does
// not have is 404 ResourceNotFoundException: the endpoint never forwards to
// the remote invoker.
func (r *Runtime) InvokeHandler(cfg InvokeAPIConfig) http.Handler {
	creds := cfg.Credentials
	v := &sigv4.Verifier{Service: "lambda", Region: cfg.Region, Lookup: func(ak string) (string, bool) {
		s, ok := creds[ak]
		return s, ok
	}}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		signed := sigv4.Signed(req)
		if !signed && !(cfg.AllowUnsigned && clientaddr.IsLoopback(req)) {
			writeInvokeError(w, errMissingToken)
			return
		}
		if signed {
			if err := v.CheckHeader(req); err != nil {
				log.Debug("Lambda Invoke signature refused", "error", err)
				writeInvokeError(w, authError(err))
				return
			}
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, MaxRequestBytes+1))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if signed {
			if _, err := v.Verify(req, body); err != nil {
				log.Debug("Lambda Invoke signature refused", "error", err)
				writeInvokeError(w, authError(err))
				return
			}
		}
		name, qualifier := SplitFunctionName(req.PathValue("name"))
		if q := req.URL.Query().Get("Qualifier"); q != "" {
			qualifier = q
		}
		p := r.lookup(name)
		if p == nil {
			writeInvokeError(w, invokeError{http.StatusNotFound, "ResourceNotFoundException",
				"Function not found: " + r.FunctionARN(name) + qualifierSuffix(qualifier)})
			return
		}
		res, err := r.invoke(req.Context(), p, invokeRequest{
			Payload:       body,
			Qualifier:     qualifier,
			Type:          req.Header.Get("X-Amz-Invocation-Type"),
			ClientContext: req.Header.Get("X-Amz-Client-Context"),
			Tail:          req.Header.Get("X-Amz-Log-Type") == "Tail",
		})
		if err != nil {
			writeInvokeError(w, toInvokeError(err))
			return
		}
		h := w.Header()
		h.Set("X-Amzn-Requestid", firstNonEmpty(res.RequestID, uuid.NewString()))
		switch res.StatusCode {
		case http.StatusAccepted, http.StatusNoContent:
			w.WriteHeader(res.StatusCode)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("X-Amz-Executed-Version", "$LATEST")
		if res.FunctionError != "" {
			h.Set("X-Amz-Function-Error", res.FunctionError)
		}
		if res.LogResult != "" {
			h.Set("X-Amz-Log-Result", res.LogResult)
		}
		h.Set("Content-Length", strconv.Itoa(len(res.Payload)))
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(res.Payload)
	})
}

func qualifierSuffix(q string) string {
	if q == "" {
		return ""
	}
	return ":" + q
}

// invokeError is an error answer of the Invoke API.
type invokeError struct {
	status  int
	errType string
	message string
}

var errMissingToken = invokeError{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}

// authError maps a signature failure to Lambda's answer.
func authError(err error) invokeError {
	var se *sigv4.Error
	if errors.As(err, &se) {
		switch se.Kind {
		case sigv4.MissingAuthentication:
			return errMissingToken
		case sigv4.UnknownAccessKey:
			return invokeError{http.StatusForbidden, "UnrecognizedClientException", se.Msg}
		case sigv4.IncompleteSignature:
			return invokeError{http.StatusForbidden, "IncompleteSignatureException", se.Msg}
		}
		return invokeError{http.StatusForbidden, "InvalidSignatureException", se.Msg}
	}
	return invokeError{http.StatusForbidden, "InvalidSignatureException", err.Error()}
}

// toInvokeError maps an invocation error to Lambda's answer.
func toInvokeError(err error) invokeError {
	var tm *types.TooManyRequestsException
	var tl *types.RequestTooLargeException
	switch {
	case errors.As(err, &tm):
		return invokeError{http.StatusTooManyRequests, "TooManyRequestsException", tm.ErrorMessage()}
	case errors.As(err, &tl):
		return invokeError{http.StatusRequestEntityTooLarge, "RequestTooLargeException", tl.ErrorMessage()}
	case errors.Is(err, ErrClosed):
		return invokeError{http.StatusServiceUnavailable, "ServiceException", "The function is shutting down."}
	}
	return invokeError{http.StatusInternalServerError, "ServiceException", err.Error()}
}

// writeInvokeError writes e as Lambda does: {"Type","Message"} (the
// throttle: {"Reason","Type","message"}) and X-Amzn-ErrorType.
func writeInvokeError(w http.ResponseWriter, e invokeError) {
	body := map[string]string{"Type": "User", "Message": e.message}
	if e.status >= 500 {
		body["Type"] = "Service"
	}
	if e.errType == "TooManyRequestsException" {
		body = map[string]string{"Type": "User", "message": e.message,
			"Reason": string(types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded)}
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", e.errType)
	h.Set("X-Amzn-Requestid", uuid.NewString())
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
