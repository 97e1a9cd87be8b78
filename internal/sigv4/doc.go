// Package sigv4 verifies AWS Signature Version 4 on incoming requests, as
// API Gateway does for @connections and AWS_IAM routes: the Authorization
// header form and the presigned query form.
//
// The canonical URI is the request's raw path as sent (r.URL.EscapedPath())
// escaped once more, the "double encoding" AWS uses for every service but
// S3: for /prod/@connections/R1kmxc2VNjMCFIA%3D it is
// /prod/%40connections/R1kmxc2VNjMCFIA%253D. The payload hash is
// X-Amz-Content-Sha256 when it is signed, else the SHA-256 of the body the
// caller passes. The region is not checked; the service is. Signatures are
// compared in constant time. Error messages follow AWS's wording.
//
// Concurrency: a Verifier is safe for concurrent use once built.
package sigv4
