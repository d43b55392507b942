/** The NetworkIntent custom resource: how a site's intents show up in `kubectl get networkintents`. */
export const GROUP = "nephoran.io";
export const VERSION = "v1alpha1";
export const PLURAL = "networkintents";
export const KIND = "NetworkIntent";
export const CRD_NAME = `${PLURAL}.${GROUP}`;
export const ORIGIN_LABEL = "nephoran.io/origin";
export const INTENT_ID_LABEL = "nephoran.io/intent";

const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

export const NETWORK_INTENT_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: CRD_NAME, labels: { "app.kubernetes.io/part-of": "nephoran" } },
  spec: {
    group: GROUP,
    scope: "Namespaced",
    names: {
      plural: PLURAL,
      singular: "networkintent",
      kind: KIND,
      shortNames: ["ni"],
      categories: ["nephoran"],
    },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: "Phase", type: "string", jsonPath: ".status.phase" },
          { name: "Revision", type: "integer", jsonPath: ".status.revision" },
          { name: "Intent", type: "string", jsonPath: ".spec.intent", priority: 1 },
          { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
        ],
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: {
                  intent: { type: "string", maxLength: 2000, description: "The intent in plain language" },
                  priority: { type: "string", enum: ["low", "medium", "high", "critical"] },
                  plan: { ...open, description: "An IntentPlan; planned from spec.intent when absent" },
                },
              },
              status: open,
            },
          },
        },
      },
    ],
  },
} as const;
