package connections

import "net/http"

// The management API operations Operation names: AWS's, and Portico's
// extensions Broadcast and ListConnections.
const (
	OpPostToConnection = "PostToConnection"
	OpGetConnection    = "GetConnection"
	OpDeleteConnection = "DeleteConnection"
	OpBroadcast        = "Broadcast"
	OpListConnections  = "ListConnections"
	OpOther            = "Other"
)

// Operation names the management API call a request is, from its method and
// rest, the escaped path after the stage, as Management.Serve takes it.
// Serve dispatches by it, and reports it for metrics.
func Operation(method, rest string) string {
	switch {
	case rest == BroadcastPath || rest == "/%40broadcast":
		return OpBroadcast
	case rest == ConnectionsPrefix || rest == ConnectionsPrefix+"/" || rest == "/%40connections":
		return OpListConnections
	case method == http.MethodPost:
		return OpPostToConnection
	case method == http.MethodGet:
		return OpGetConnection
	case method == http.MethodDelete:
		return OpDeleteConnection
	}
	return OpOther
}
