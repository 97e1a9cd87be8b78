package control

import (
	"net/http"
	"regexp"
	"slices"
)

// ---- stages

func (rec *apiRecord) stage(name string) (*wireStage, *apiError) {
	for _, st := range rec.Stages {
		if st.StageName == name {
			return st, nil
		}
	}
	return nil, errNoStage(name)
}

func createStage(c *Controller, in *call) (int, any, *apiError) {
	var st wireStage
	if err := decode(in.body, &st); err != nil {
		return 0, nil, err
	}
	if st.StageName == "" {
		return 0, nil, badRequest("StageName is required")
	}
	st.APIGatewayManaged, st.LastDeploymentStatusMessage = false, ""
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		if !stageNameRE.MatchString(st.StageName) && (st.StageName != "$default" || rec.API.ProtocolType != "HTTP") {
			return nil, badRequest("Invalid stage name %s: use letters, digits, _ or - ($default only for HTTP APIs)", st.StageName)
		}
		if _, err := rec.stage(st.StageName); err == nil {
			return nil, conflict("Stage %s already exists", st.StageName)
		}
		if st.DeploymentID != "" && rec.deployment(st.DeploymentID) == nil {
			return nil, errNoDeployment(st.DeploymentID)
		}
		st.CreatedDate = c.timestamp()
		st.LastUpdatedDate = st.CreatedDate
		s := &st
		rec.Stages = append(rec.Stages, s) // change deploys it at once when it has autoDeploy
		return s, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, *out.(*wireStage), nil
}

func getStages(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireStage, 0, len(rec.Stages))
	for _, st := range rec.Stages {
		items = append(items, *st)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getStage(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	st, err := rec.stage(in.params["stageName"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, st, nil
}

func updateStage(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return nil, err
		}
		next := *st
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.StageName, next.CreatedDate, next.APIGatewayManaged, next.Tags = st.StageName, st.CreatedDate, st.APIGatewayManaged, st.Tags
		if next.DeploymentID != st.DeploymentID && rec.deployment(next.DeploymentID) == nil {
			return nil, errNoDeployment(next.DeploymentID)
		}
		next.LastUpdatedDate = c.timestamp()
		*st = next // change deploys it at once when autoDeploy is on
		return st, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, *out.(*wireStage), nil
}

func deleteStage(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return nil, err
		}
		rec.Stages = slices.DeleteFunc(rec.Stages, func(x *wireStage) bool { return x == st })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

var stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ---- deployments

func createDeployment(c *Controller, in *call) (int, any, *apiError) {
	var req struct {
		Description string `json:"description"`
		StageName   string `json:"stageName"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		var st *wireStage
		if req.StageName != "" {
			var err *apiError
			if st, err = rec.stage(req.StageName); err != nil {
				return nil, err
			}
		}
		d, err := c.newDeployment(rec, req.Description, false)
		if err != nil {
			c.log.Error("control plane: creating a deployment", "api_id", rec.API.APIID, "error", err)
			return nil, errInternal
		}
		if st != nil {
			st.DeploymentID, st.LastUpdatedDate = d.DeploymentID, d.CreatedDate
		}
		return d.wireDeployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getDeployments(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireDeployment, 0, len(rec.Deployments))
	for _, d := range rec.Deployments {
		items = append(items, d.wireDeployment)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getDeployment(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	id := in.params["deploymentId"]
	d := rec.deployment(id)
	if d == nil {
		return 0, nil, errNoDeployment(id)
	}
	return http.StatusOK, d.wireDeployment, nil
}

func updateDeployment(c *Controller, in *call) (int, any, *apiError) {
	var req struct {
		Description *string `json:"description"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		id := in.params["deploymentId"]
		d := rec.deployment(id)
		if d == nil {
			return nil, errNoDeployment(id)
		}
		if req.Description != nil {
			d.Description = *req.Description
		}
		return d.wireDeployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteDeployment(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		id := in.params["deploymentId"]
		d := rec.deployment(id)
		if d == nil {
			return nil, errNoDeployment(id)
		}
		if slices.ContainsFunc(rec.Stages, func(st *wireStage) bool { return st.DeploymentID == id }) {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
		rec.Deployments = slices.DeleteFunc(rec.Deployments, func(x *deploymentRecord) bool { return x == d })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
