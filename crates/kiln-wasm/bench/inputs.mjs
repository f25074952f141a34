// The two requests every validator checks: a typical valid CreateImageRequest (5 labels,
// description, URI source, os, legacy hardware) and an invalid one with exactly 6 violations.
export const valid = {
  folderId: "b1gexamplefolder0000",
  name: "ubuntu-2404-nginx",
  description: "Ubuntu 24.04 LTS with nginx, imported from Object Storage",
  labels: { team: "web", env: "prod", owner: "alice", "cost-center": "cc-42", "app.kubernetes.io/name": "nginx" },
  family: "ubuntu-2404-nginx",
  minDiskSize: 10737418240,
  uri: "https://storage.yandexcloud.net/my-bucket/ubuntu-2404-nginx.qcow2",
  os: { type: "LINUX" },
  hardwareGeneration: { legacyFeatures: { pciTopology: "PCI_TOPOLOGY_V2" } },
};

// name (pattern), description (length), labels key (pattern), family (pattern),
// minDiskSize (value), and no source at all (exactly one required).
export const invalid = {
  folderId: "b1gexamplefolder0000",
  name: "Ubuntu 24.04",
  description: "x".repeat(257),
  labels: { Team: "web", env: "prod" },
  family: "ab",
  minDiskSize: 1024,
  os: { type: "LINUX" },
};
