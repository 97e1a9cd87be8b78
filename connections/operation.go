package connections

import "net/http"

// Operation names a management API call after the AWS operation it is
// (PostToConnection, GetConnection, DeleteConnection) or Portico's
// extensions (Broadcast, ListConnections); "Other" for anything else. rest
// is the escaped path after the stage, as Management.Serve takes it.
func Operation(method, rest string) string {
	switch {
	case rest == BroadcastPath || rest == "/%40broadcast":
		return "Broadcast"
	case rest == ConnectionsPrefix || rest == ConnectionsPrefix+"/" || rest == "/%40connections":
		return "ListConnections"
	case method == http.MethodPost:
		return "PostToConnection"
	case method == http.MethodGet:
		return "GetConnection"
	case method == http.MethodDelete:
		return "DeleteConnection"
	}
	return "Other"
}
