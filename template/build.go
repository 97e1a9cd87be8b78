package template

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// restBuild is a REST API being built.
type restBuild struct {
	res    *resource
	api    config.RestAPI
	byPath map[string]*config.RestResource
	idPath map[string]string // resource ID → path
	// methods says where each method ("PATH VERB") came from.
	methods map[string]origin
	// origins says where the API's other list entries came from, keyed
	// relative to the API ("authorizers[0]").
	origins map[string]origin
	sam     *samRest // nil for AWS::ApiGateway::RestApi
}

// v2Build is an apigatewayv2 API being built.
type v2Build struct {
	res          *resource
	api          config.API
	routes       map[string]int // route ID → index in api.Routes
	integrations map[string]int // integration ID → index
	origins      map[string]origin
	sam          *samHTTP // nil for AWS::ApiGatewayV2::Api
}

func newRestBuild(r *resource, id string) *restBuild {
	b := &restBuild{res: r, byPath: map[string]*config.RestResource{}, idPath: map[string]string{},
		methods: map[string]origin{}, origins: map[string]origin{}}
	b.api.RestAPIID = id
	root := rootResourceID(id)
	b.byPath["/"] = &config.RestResource{ID: root, Path: "/"}
	b.idPath[root] = "/"
	return b
}

// resource returns the resource at path, adding it and its ancestors.
func (b *restBuild) resource(path string) *config.RestResource {
	if res := b.byPath[path]; res != nil {
		return res
	}
	i := strings.LastIndexByte(path, '/')
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := b.resource(parentPath)
	res := &config.RestResource{ID: config.StableAPIID(b.api.RestAPIID+path, func(id string) bool { return b.idPath[id] != "" }),
		ParentID: parent.ID, PathPart: path[i+1:], Path: path}
	b.byPath[path] = res
	b.idPath[res.ID] = path
	return res
}

// addMethod adds a method, reporting a duplicate at at.
func (l *loader) addMethod(b *restBuild, path, verb string, m config.RestMethod, o origin, key string) {
	if path != "/" {
		path = "/" + strings.Trim(path, "/")
	}
	res := b.resource(path)
	if _, dup := res.ResourceMethods[verb]; dup {
		prev := b.methods[path+" "+verb]
		l.errorf(o.at, key, "%s %s is already defined by %s (line %d)", verb, path, prev.res.id, prev.at.Line)
		return
	}
	if res.ResourceMethods == nil {
		res.ResourceMethods = map[string]config.RestMethod{}
	}
	m.HTTPMethod = verb
	res.ResourceMethods[verb] = m
	b.methods[path+" "+verb] = o
}

// build builds the resources in dependency order.
func (l *loader) build() {
	l.restAPIs = map[string]*restBuild{}
	l.v2APIs = map[string]*v2Build{}
	phases := [][]string{
		{typeSAMApi, typeRestAPI, typeSAMHttpApi, typeV2API},
		{typeFunction, typeLambdaFunction},
		{"AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGateway::Resource",
			"AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator", "AWS::ApiGateway::ApiKey"},
		{"AWS::ApiGatewayV2::Route", "AWS::ApiGateway::Method", "AWS::ApiGateway::Stage", "AWS::ApiGateway::GatewayResponse",
			"AWS::ApiGateway::UsagePlan", "AWS::ApiGatewayV2::Stage"},
		{"AWS::ApiGatewayV2::RouteResponse", "AWS::ApiGatewayV2::IntegrationResponse", "AWS::ApiGateway::Deployment",
			"AWS::ApiGatewayV2::Deployment", "AWS::ApiGateway::UsagePlanKey"},
	}
	for i, phase := range phases {
		if i == 3 {
			l.buildRestResources()
		}
		for _, r := range l.order {
			if r.skip != "" || !slices.Contains(phase, r.typ) || r.typ == "AWS::ApiGateway::Resource" {
				continue
			}
			if _, ok := l.physical(r, r.key, r.where()); !ok {
				continue
			}
			p, ok := l.properties(r)
			if !ok {
				continue
			}
			builders[r.typ](l, r, p)
		}
	}
	for _, r := range l.order {
		if r.typ == typeSAMApi && r.skip == "" {
			if b := l.restAPIs[r.physical]; b != nil && b.sam != nil {
				l.samCors(b)
			}
		}
	}
	l.sharedUsagePlan()
	l.flatten()
}

// builders build one resource type each.
var builders map[string]func(*loader, *resource, *props)

func init() {
	builders = map[string]func(*loader, *resource, *props){
		typeSAMApi: (*loader).buildSAMApi, typeSAMHttpApi: (*loader).buildSAMHttpApi,
		typeFunction: (*loader).buildFunction, typeLambdaFunction: (*loader).buildLambdaFunction,
	}
	maps.Copy(builders, restBuilders)
	maps.Copy(builders, v2Builders)
}

// restAPI returns the REST API whose ID p's prop names.
func (l *loader) restAPI(p *props, prop string) *restBuild {
	id := p.required(prop, ": the REST API, e.g. !Ref MyApi")
	if id == "" {
		return nil
	}
	b := l.restAPIs[id]
	if b == nil {
		l.errorf(p.get(prop), p.key+"."+prop, "%q is not a REST API of this template (AWS::ApiGateway::RestApi or AWS::Serverless::Api)", id)
	}
	return b
}

// v2API returns the apigatewayv2 API whose ID p's ApiId names.
func (l *loader) v2API(p *props) *v2Build {
	id := p.required("ApiId", ": the API, e.g. !Ref MyApi")
	if id == "" {
		return nil
	}
	b := l.v2APIs[id]
	if b == nil {
		l.errorf(p.get("ApiId"), p.key+".ApiId", "%q is not an API of this template (AWS::ApiGatewayV2::Api or AWS::Serverless::HttpApi)", id)
	}
	return b
}

// flatten moves what was built into l.out, recording where each part
// came from.
func (l *loader) flatten() {
	for _, r := range l.order {
		if r.skip != "" || r.physical == "" {
			continue
		}
		if b := l.restAPIs[r.physical]; b != nil && b.res == r {
			i := len(l.out.RestAPIs)
			prefix := fmt.Sprintf("restApis[%d]", i)
			l.origins[prefix] = origin{res: r, at: r.key}
			paths := slices.Sorted(maps.Keys(b.byPath))
			for j, path := range paths {
				res := b.byPath[path]
				b.api.Resources = append(b.api.Resources, *res)
				for verb := range res.ResourceMethods {
					if o, ok := b.methods[path+" "+verb]; ok {
						l.origins[fmt.Sprintf("%s.resources[%d].resourceMethods.%s", prefix, j, verb)] = o
					}
				}
			}
			for k, o := range b.origins {
				l.origins[prefix+"."+k] = o
			}
			l.out.RestAPIs = append(l.out.RestAPIs, b.api)
		}
		if b := l.v2APIs[r.physical]; b != nil && b.res == r {
			prefix := fmt.Sprintf("apis[%d]", len(l.out.APIs))
			l.origins[prefix] = origin{res: r, at: r.key}
			for k, o := range b.origins {
				l.origins[prefix+"."+k] = o
			}
			l.out.APIs = append(l.out.APIs, b.api)
		}
	}
}

// validate checks the File by config's rules, and reports each problem
// at the template resource it came from.
func (l *loader) validate() {
	err := config.Validate(&l.out, l.file)
	if err == nil {
		return
	}
	var list config.ErrorList
	if !errors.As(err, &list) {
		l.errorf(nil, "", "%v", err)
		return
	}
	for _, e := range list {
		o, prefix, ok := l.originOf(e.Key)
		if !ok {
			l.errs = append(l.errs, e)
			continue
		}
		at := o.at
		if at == nil {
			at = o.res.key
		}
		// functions[0].runtime is the resource's Runtime, when it wrote one.
		where := o.res.where()
		if at == o.res.key {
			field := strings.TrimPrefix(e.Key[len(prefix):], ".")
			if i := strings.IndexAny(field, ".["); i >= 0 {
				field = field[:i]
			}
			if field != "" {
				prop := strings.ToUpper(field[:1]) + field[1:]
				if v := mapGet(o.res.raw, prop); v != nil {
					at, where = v, where+".Properties."+prop
				}
			}
		}
		l.errorf(at, where, "%s, built as %s: %s", o.res.typ, e.Key, e.Msg)
	}
}

// originOf finds where the part of the File at key came from: the
// longest recorded prefix of key, which it returns too.
func (l *loader) originOf(key string) (o origin, prefix string, ok bool) {
	for k := key; k != ""; {
		if o, ok := l.origins[k]; ok {
			return o, k, true
		}
		i := strings.LastIndexAny(k, ".[")
		if i <= 0 {
			break
		}
		k = k[:i]
	}
	return origin{}, "", false
}

// nodeAt returns the node to report a property at: its value, else the
// mapping holding it.
func (p *props) nodeAt(name string) *yaml.Node {
	if n := p.value(name); n != nil {
		return n
	}
	return p.at
}
