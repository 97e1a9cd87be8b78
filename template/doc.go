// Package template reads AWS SAM and CloudFormation templates (YAML or
// JSON, with the short tags !Ref, !Sub, !GetAtt, ...) into the same model
// as the config file, config.File: its APIs (AWS::ApiGatewayV2::*,
// AWS::Serverless::HttpApi), REST APIs (AWS::ApiGateway::*,
// AWS::Serverless::Api and the implicit ServerlessRestApi), local
// functions (AWS::Serverless::Function, AWS::Lambda::Function), API keys
// and usage plans. What it returns goes through the one Apply path, as a
// config file does; Merge combines it with a config file that gives the
// listeners, the admin listener, credentials and NATS.
//
// The loader is Portico's own, on gopkg.in/yaml.v3 nodes, so that every
// problem is reported with the template's file:line:col. It resolves the
// intrinsic functions CloudFormation would (Ref, Fn::Sub, Fn::GetAtt,
// Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And,
// Fn::Or, Fn::FindInMap, Fn::Base64, Fn::Length, Fn::ToJsonString,
// Fn::GetAZs), parameters with their defaults and overrides, pseudo
// parameters, Conditions and SAM's Globals. OpenAPI definitions
// (DefinitionBody, DefinitionUri, Body, BodyS3Location) are read by
// package openapi (openapi.go): an inline body after its intrinsics are
// resolved, with its errors moved back to the template's lines; a
// document in S3 is an error. Fn::ImportValue and inline code are errors
// that say so; resource types Portico
// does not serve are skipped with a warning (a Ref of one reads as its
// name). A property is resolved only when the converter reads it, so
// what Portico ignores (Policies, Tags) never fails a template.
//
// Concurrency: Load and Merge are safe to call from several goroutines;
// each call owns everything it builds.
package template
