// The VPC: two availability zones, a public subnet each (load balancers, NAT) and a private subnet each
// (nodes, database). Nodes get no public addresses; they reach the internet through NAT.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";

export interface SubnetPlan {
  readonly az: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
}

/**
 * Carves a /16 into per-zone subnets: private /18s (the VPC CNI gives every pod a VPC address, so the
 * node subnets get most of the space) and public /20s after them.
 */
export function planSubnets(vpcCidr: string, azs: readonly string[]): SubnetPlan[] {
  const [a, b] = vpcCidr.split(".");
  return azs.map((az, i) => ({
    az,
    privateCidr: `${a}.${b}.${i * 64}.0/18`,
    publicCidr: `${a}.${b}.${128 + i * 16}.0/20`,
  }));
}

export interface Network {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
}

export function createNetwork(name: string, cfg: StackConfig, clusterName: string): Network {
  const tags = { "dmac.ioos.us/stack": cfg.stack };
  const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: cfg.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${name}-vpc` } });
  // The VPC's default security group allows all traffic among its members; nothing should use it, so it
  // gets no rules at all (every resource here has its own group).
  new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id, ingress: [], egress: [], tags });
  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags });
  const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags });

  const plan = planSubnets(cfg.vpcCidr, cfg.availabilityZones);
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const publicSubnets = plan.map((p, i) => {
    const subnet = new aws.ec2.Subnet(`${name}-public-${i}`, {
      vpcId: vpc.id,
      availabilityZone: p.az,
      cidrBlock: p.publicCidr,
      mapPublicIpOnLaunch: false,
      tags: { ...tags, Name: `${name}-public-${p.az}`, "kubernetes.io/role/elb": "1", [clusterTag]: "shared" },
    });
    new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
    return subnet;
  });

  const natCount = cfg.natGateways === "perAz" ? plan.length : 1;
  const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
    const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags });
    return new aws.ec2.NatGateway(`${name}-nat-${i}`, { subnetId: subnet.id, allocationId: eip.id, tags }, { dependsOn: [igw] });
  });

  const privateSubnets = plan.map((p, i) => {
    const subnet = new aws.ec2.Subnet(`${name}-private-${i}`, {
      vpcId: vpc.id,
      availabilityZone: p.az,
      cidrBlock: p.privateCidr,
      mapPublicIpOnLaunch: false,
      tags: { ...tags, Name: `${name}-private-${p.az}`, "kubernetes.io/role/internal-elb": "1", [clusterTag]: "shared" },
    });
    const nat = nats[i % nats.length]!;
    const routes = new aws.ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags });
    new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id });
    return subnet;
  });

  return {
    vpcId: vpc.id,
    vpcCidr: cfg.vpcCidr,
    publicSubnetIds: publicSubnets.map((s) => s.id),
    privateSubnetIds: privateSubnets.map((s) => s.id),
  };
}
