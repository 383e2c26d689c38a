-- ArgoCD health of a dmac.ioos.us custom resource (IngestJob, Dataset, CatalogEntry).
-- The operator reports Kubernetes-style status: status.observedGeneration and a Ready condition
-- (metav1.Condition). A status written for an older generation says nothing about the current spec.
local hs = {}

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended by spec.suspend"
  return hs
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      local message = condition.message or ""
      if generation ~= nil and condition.observedGeneration ~= nil and condition.observedGeneration < generation then
        hs.status = "Progressing"
        hs.message = "Ready condition is from generation " .. tostring(condition.observedGeneration)
      elseif condition.status == "True" then
        hs.status = "Healthy"
        hs.message = message
      elseif condition.status == "False" then
        hs.status = "Degraded"
        hs.message = (condition.reason or "NotReady") .. ": " .. message
      else
        hs.status = "Progressing"
        hs.message = (condition.reason or "Unknown") .. ": " .. message
      end
      return hs
    end
  end
end

hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
