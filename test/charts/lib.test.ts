// Error paths of the chart building blocks: bad input names the file, field or object at fault.
import { App, Chart } from "cdk8s";
import { describe, expect, it } from "vitest";
import { DomainChart } from "../../clusters/domain-chart.js";
import { environment } from "../../clusters/environments.js";
import { allow } from "../../clusters/lib/network-policy.js";
import { domainsFor } from "../../clusters/render.js";
import { sampleDomains } from "../../crds/samples.js";

describe("chart inputs", () => {
  it("rejects an unknown environment, listing the known ones", () => {
    expect(() => environment("staging")).toThrow(/unknown environment "staging" \(known: local, dev, prod\)/);
  });

  it("rejects a domain the samples do not define, naming the file and environment", () => {
    const env = { ...environment("dev"), domains: ["maracoos", "secoora"] };
    expect(() => domainsFor(env, sampleDomains("dev"))).toThrow(/clusters\/environments\.ts: environment "dev" lists domain "secoora"/);
  });

  it("rejects a domain name that cannot be a namespace", () => {
    expect(() => new DomainChart(new App(), "d", { name: "Gulf_of_Mexico", title: "x" })).toThrow(/domain "Gulf_of_Mexico": name must be a DNS label/);
  });

  it("rejects a NetworkPolicy allow without any rule", () => {
    const chart = new Chart(new App(), "c");
    expect(() => allow(chart, { name: "nothing", namespace: "dmac-system", podSelector: {} })).toThrow(/NetworkPolicy dmac-system\/nothing: needs ingress or egress rules/);
  });

  it("renders an empty port list as all ports, not as no ports", () => {
    const chart = new Chart(new App(), "c");
    allow(chart, { name: "intra", namespace: "gcoos", podSelector: {}, ingress: [{ from: [{ namespace: "gcoos" }], ports: [] }] });
    const [policy] = chart.toJson() as { spec: { ingress: Record<string, unknown>[] } }[];
    expect(policy?.spec.ingress[0]).not.toHaveProperty("ports");
  });
});
