-- ArgoCD health of a dask-kubernetes DaskJob, from status.jobStatus
-- (JobCreated, ClusterCreated, Running, Successful, Failed).
local hs = {}
local phase = nil
if obj.status ~= nil then
  phase = obj.status.jobStatus
end

if phase == "Successful" then
  hs.status = "Healthy"
  hs.message = "Job succeeded"
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = "Job failed"
elseif phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Dask operator"
else
  hs.status = "Progressing"
  hs.message = "Job is " .. tostring(phase)
end
return hs
