-- ArgoCD health of a child Application, so the root app-of-apps waits for each sync wave
-- (ArgoCD 1.8+ no longer assesses Application health by default).
local hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
