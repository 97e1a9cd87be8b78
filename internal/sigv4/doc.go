// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP
// requests, as API Gateway does for the @connections management API and for
// AWS_IAM routes. It accepts the Authorization header form and the
// presigned query form (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Expires). It only verifies:
// clients sign with the AWS SDKs.
//
// Verify rebuilds the canonical request itself rather than re-signing with
// an SDK signer:
//
//   - The canonical URI is the request's raw path as sent
//     (r.URL.EscapedPath()) escaped once more, the "double encoding" AWS
//     uses for every service but S3: for /prod/@connections/R1kmxc2VNjMCFIA%3D
//     it is /prod/%40connections/R1kmxc2VNjMCFIA%253D. Escaping keeps only
//     A-Z a-z 0-9 - . _ ~ (and "/" in paths).
//   - The canonical query decodes every parameter ("+" is a space), escapes
//     it again and sorts by escaped name, then escaped value. Presigned
//     requests leave X-Amz-Signature out.
//   - Canonical headers are the signed ones, in the order SignedHeaders
//     gives (which must be lowercase, ascending and include host); host is
//     r.Host. Values are trimmed, runs of spaces collapsed, repeated headers
//     joined with ",".
//   - The payload hash is a signed X-Amz-Content-Sha256 (UNSIGNED-PAYLOAD
//     leaves the body unauthenticated; a hash must also match the body), or
//     else the SHA-256 of the body the caller passes. Presigned URLs without
//     that header may sign UNSIGNED-PAYLOAD or the body's hash.
//
// The credential scope must name the Verifier's service and the day of
// X-Amz-Date, and its Region when that is set (zero: any region, even an
// empty one). CheckHeader runs every check that needs neither the body nor
// an HMAC, so that a caller can refuse a request before reading its body;
// Verify runs them again, then compares the signature. X-Amz-Date (or
// Date) must lie within MaxSkew of the clock. Failures are *Error values
// whose Kind says which class of AWS error applies and whose message
// follows AWS's wording where it is known; signatures are compared in
// constant time.
//
// Performance: derived signing keys are cached per secret, day, region and
// service once they have verified a request; buffers come from a pool; the
// final HMAC is computed with sha256.Sum256 directly. A typical
// PostToConnection verification allocates once (inside
// url.URL.EscapedPath).
//
// Concurrency: a Verifier is safe for concurrent use once built; its fields
// must not change after the first call to Verify. Lookup and Now are called
// from many goroutines at once.
package sigv4
