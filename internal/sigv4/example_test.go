package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portico-gw/portico/internal/sigv4"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func ExampleVerifier_Verify() {
	signedAt := time.Date(2026, 11, 22, 9, 4, 51, 0, time.UTC)
	v := &sigv4.Verifier{
		Lookup: func(accessKeyID string) (string, bool) {
			return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", accessKeyID == "AKIDEXAMPLE"
		},
		Now: func() time.Time { return signedAt.Add(time.Minute) },
	}

	// A client signs a PostToConnection request as aws-sdk-go-v2 does.
	body := []byte(`{"hello":"world"}`)
	r, _ := http.NewRequest("POST", "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D", bytes.NewReader(body))
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	sum := sha256Hex(body)
	_ = v4.NewSigner().SignHTTP(context.Background(), creds, r, sum, "execute-api", "eu-west-1", signedAt)

	id, err := v.Verify(r, body)
	fmt.Println(id.AccessKeyID, id.Region, id.Service, id.SignedAt.Format(time.RFC3339), err)

	// The same request with another body.
	_, err = v.Verify(r, []byte("tampered"))
	var e *sigv4.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind)
	}

	// An unsigned request.
	plain, _ := http.NewRequest("GET", "http://127.0.0.1:8080/prod/@connections/abc", nil)
	_, err = v.Verify(plain, nil)
	fmt.Println(sigv4.Signed(plain), err)
	// Output:
	// AKIDEXAMPLE eu-west-1 execute-api 2026-11-22T09:04:51Z <nil>
	// InvalidSignature
	// false Missing Authentication Token
}
