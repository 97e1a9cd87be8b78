// Package control is Portico's AWS control plane: the apigatewayv2
// management API (REST-JSON, as botocore's apigatewayv2 2018-11-29 model
// says), served under /v2/ on the admin listener, and the core of the
// apigateway (v1) API for REST APIs (/restapis/…: rest APIs, resources,
// methods, method responses, integrations, integration responses,
// authorizers, models, request validators, gateway responses,
// deployments and stages; epoch-second timestamps, {"item":[…]} lists,
// patchOperations), so that the AWS CLI
// (aws apigatewayv2 … --endpoint-url) and the SDKs configure Portico at
// runtime. It imports config and nothing of the modes: every change
// produces config.API values and goes through the one Apply funnel that
// the Controller is given (Server.Apply).
//
// State. The control plane's APIs live in a Store (see Store: get, list,
// create, update and delete with revisions, and a watch), one key per API,
// v2.apis.{apiId}, whose value is the API's record: the API, its routes
// (with their route responses), integrations (with their integration
// responses), authorizers, stages and deployments, each deployment with
// the snapshot of routes, integrations and authorizers it froze. MemStore
// keeps them in memory, for one node; JetStreamStore keeps them in a NATS
// JetStream key-value bucket (DefaultBucket) that every node shares, and
// each node's Run applies what other nodes change. A JetStreamStore that
// cannot reach JetStream fails with an *UnavailableError, answered 503
// ServiceUnavailableException with its reason; a record larger than one
// NATS message is stored in chunks (see JetStreamStore), up to MaxChunks
// of them (larger: ErrTooLarge, 400). Every change is a read-modify-write checked by
// revision: when another writer changed the API in between, the change
// runs again on what that writer stored (up to a few times, then 409
// ConflictException), so no change is lost silently.
//
// What is served. A stage serves the deployment its deploymentId names:
// CreateDeployment freezes the API's routes, integrations and authorizers,
// and a stage with autoDeploy gets a new deployment on every change. The
// config.API that a record serves carries each deployed stage with its
// snapshot in config.Stage.Deployment, and the registry builds each such
// stage from its own snapshot (config.API.StageAPIs). Stages without a
// deployment, and APIs without a deployed stage, are not served. A change
// is applied before it is stored: a change that config.Validate refuses
// is answered 400 BadRequestException with the validation's message and
// is not stored.
//
// REST APIs (v1) are one record each too, key v1.restapis.{restApiId}:
// the API, its resources (with their methods, method responses,
// integrations and integration responses), authorizers, models, request
// validators and gateway responses as they are now, its stages, and its
// deployments, each with all of those as it froze them. Nothing of a
// REST API is served before CreateDeployment: the config.RestAPI that a
// record serves carries each stage that has a deployment with the
// deployment's resources in config.RestStage.Deployment, and the registry
// builds each such stage from its own snapshot (config.RestAPI.StageAPIs).
//
// OpenAPI import (v1_import.go, v2_import.go): ImportRestApi, PutRestApi
// (overwrite or merge), ImportApi and ReimportApi read the document with
// package openapi and make the record with the converters that show
// file-managed APIs (fileRestRecord, fileRecord), with new IDs as the
// create operations assign them (PutRestApi keeps the IDs of the
// resources, authorizers, models and validators it finds again by path or
// name). An imported API gets no stage: it is served after
// CreateDeployment (v1) or CreateStage (v2), as one created step by step.
//
// API keys and usage plans (v1: /apikeys, /usageplans) are one record
// each, keys v1.apikeys.{id} and v1.usageplans.{id} (a plan with the IDs
// of its keys and UpdateUsage's credits), composed into the
// configuration's apiKeys, usagePlans and usagePlanKeys (usageServed),
// which the data plane enforces through package usage. A plan's stage
// whose API or stage is gone, and a plan key whose key is gone, stay in
// the plan and are left out of the configuration. GetUsage and
// UpdateUsage read and credit the data plane's counts through
// Config.Usage (Portico's usage.Meter).
//
// APIs, API keys and usage plans of the configuration file are shown by
// the read operations and refused by the others (400).
//
// Exports (export.go). GetExport (v1) writes what a REST API's stage
// serves, its deployment's snapshot (a file-managed API: its file's
// configuration), and ExportApi (v2) an HTTP API, a stage's deployment or
// the current routes, as an OpenAPI document made by package openapi.
// Their answer is the document itself (rawAnswer), JSON or YAML; the
// server URL in it is the API's apiEndpoint, so that it reaches the API
// on this gateway.
//
// Auth: SigV4 with service apigateway, any region, against the configured
// credentials (internal/sigv4); unsigned requests only with
// controlPlane.allowUnsigned and only from loopback.
//
// Concurrency: a Controller is safe for concurrent use. Its changes are
// serialised by one lock, which is taken before whatever Config.Apply
// locks; ReloadFile takes the same lock, so a SIGHUP reload and a
// control-plane change never undo each other. Run blocks until its
// context ends; the goroutines MemStore.Watch and JetStreamStore.Watch
// start end with the watch's context.
package control
