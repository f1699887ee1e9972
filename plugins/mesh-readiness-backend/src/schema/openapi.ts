/*
 * The HTTP API, described once: requests are validated against it before
 * a handler runs, and it is served at /api/mesh-readiness/openapi.json.
 * Response shapes are the types in the common package's api.ts.
 */
const name = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$',
} as const;
const jsonObject = (required: string[], description: string) =>
  ({
    type: 'object',
    required,
    description,
    additionalProperties: true,
  } as const);
/** Readiness per data-plane mode, on every workload report (and so in the check command's JSON). */
const modeReadiness = {
  type: 'object',
  required: ['ready', 'blocking'],
  properties: {
    ready: {
      type: 'boolean',
      description: 'No error rule would fail or be unknown in this mode.',
    },
    blocking: {
      type: 'array',
      items: { type: 'string' },
      description: 'The error rules that would block it (rule ids).',
    },
    messages: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description:
        'What each blocking rule says in this mode, by rule id. Absent in reports stored before it was added.',
    },
  },
} as const;
const modeSummary = {
  type: 'object',
  required: ['workloads', 'readyWorkloads', 'blocking'],
  properties: {
    workloads: { type: 'integer' },
    readyWorkloads: { type: 'integer' },
    blocking: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ruleId', 'workloads'],
        properties: {
          ruleId: { type: 'string' },
          workloads: { type: 'integer' },
        },
      },
    },
  },
} as const;
const workloadsWithModes = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: true,
    properties: {
      modes: {
        type: 'object',
        required: ['sidecar', 'ambient'],
        description:
          'Whether the workload would be ready with a sidecar and in ambient mode, and what blocks each.',
        properties: {
          sidecar: { $ref: '#/components/schemas/ModeReadiness' },
          ambient: { $ref: '#/components/schemas/ModeReadiness' },
        },
      },
    },
  },
} as const;
/** An entity's report: what reading it and scanning it both answer. */
const entityReport = {
  ...jsonObject(
    ['entityRef', 'mapped', 'summary', 'clusters', 'workloads', 'errors'],
    'EntityReadinessResponse',
  ),
  properties: { workloads: workloadsWithModes },
} as const;
const modesSummary = {
  type: 'object',
  required: ['sidecar', 'ambient'],
  properties: {
    sidecar: { $ref: '#/components/schemas/ModeSummary' },
    ambient: { $ref: '#/components/schemas/ModeSummary' },
  },
} as const;
const errorResponse = {
  description: 'An error',
  content: { 'application/json': { schema: { type: 'object' } } },
} as const;

export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'mesh-readiness',
    version: '1',
    description:
      'Mesh readiness of catalog entities: findings per workload and rule, team and organisation scorecards.',
    license: {
      name: 'Apache-2.0',
      url: 'http://www.apache.org/licenses/LICENSE-2.0.html',
    },
  },
  servers: [{ url: '/' }],
  components: {
    schemas: { ModeReadiness: modeReadiness, ModeSummary: modeSummary },
    parameters: {
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: name,
      },
      name: { name: 'name', in: 'path', required: true, schema: name },
    },
    securitySchemes: {
      JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    },
  },
  security: [{}, { JWT: [] }],
  paths: {
    '/rules': {
      get: {
        operationId: 'GetRules',
        description: 'The rule catalogue, MR001 onwards.',
        responses: {
          '200': {
            description: 'The rules',
            content: {
              'application/json': {
                schema: jsonObject(['rules'], 'RulesResponse'),
              },
            },
          },
          default: errorResponse,
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}': {
      get: {
        operationId: 'GetEntityReadiness',
        description:
          'The entity’s latest report per cluster and workload, in the check command’s shape.',
        parameters: [
          { name: 'kind', in: 'path', required: true, schema: name },
          { $ref: '#/components/parameters/namespace' },
          { $ref: '#/components/parameters/name' },
          {
            name: 'refresh',
            in: 'query',
            required: false,
            deprecated: true,
            description:
              'Deprecated: use POST /entities/{kind}/{namespace}/{name}/scan. Scans the entity’s clusters before answering; answered with a Deprecation header, removed in the next release.',
            schema: { type: 'string', enum: ['true', 'false'] },
          },
        ],
        responses: {
          '200': {
            description: 'The report',
            content: {
              'application/json': {
                schema: entityReport,
              },
            },
          },
          '304': {
            description:
              'Not modified: the caller may read the entity and the If-None-Match tag is the report’s current ETag, so the copy they hold is current.',
          },
          default: errorResponse,
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/scan': {
      post: {
        operationId: 'ScanEntity',
        description:
          'Scans the clusters the entity’s workloads are in now (permission mesh-readiness.entity.refresh), records it with the auditor, and answers with the fresh report.',
        parameters: [
          { name: 'kind', in: 'path', required: true, schema: name },
          { $ref: '#/components/parameters/namespace' },
          { $ref: '#/components/parameters/name' },
        ],
        responses: {
          '200': {
            description: 'The report after the scan',
            content: {
              'application/json': {
                schema: entityReport,
              },
            },
          },
          default: errorResponse,
        },
      },
    },
    '/groups/{namespace}/{name}/scorecard': {
      get: {
        operationId: 'GetGroupScorecard',
        description:
          'The components the group owns, their levels and scores, the top failing rules and the trend.',
        parameters: [
          { $ref: '#/components/parameters/namespace' },
          { $ref: '#/components/parameters/name' },
        ],
        responses: {
          '200': {
            description: 'The scorecard',
            content: {
              'application/json': {
                schema: {
                  ...jsonObject(
                    [
                      'groupRef',
                      'components',
                      'levelDistribution',
                      'topFailingRules',
                      'modes',
                      'trend',
                      'expiringWaivers',
                    ],
                    'GroupScorecardResponse',
                  ),
                  properties: { modes: modesSummary },
                },
              },
            },
          },
          default: errorResponse,
        },
      },
    },
    '/scans': {
      get: {
        operationId: 'GetScans',
        description:
          'Each cluster’s latest attempt, and the latest scans with the replica that ran them.',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'How many scans, newest first. Default 20.',
            schema: { type: 'integer', minimum: 1, maximum: 200 },
          },
        ],
        responses: {
          '200': {
            description: 'Clusters and scans',
            content: {
              'application/json': {
                schema: jsonObject(['clusters', 'scans'], 'ScansResponse'),
              },
            },
          },
          default: errorResponse,
        },
      },
    },
    '/scorecards': {
      get: {
        operationId: 'GetOrganizationScorecard',
        description: 'One row per team.',
        responses: {
          '200': {
            description: 'The teams',
            content: {
              'application/json': {
                schema: {
                  ...jsonObject(
                    ['teams', 'topFailingRules', 'modes'],
                    'OrganizationScorecardResponse',
                  ),
                  properties: { modes: modesSummary },
                },
              },
            },
          },
          default: errorResponse,
        },
      },
    },
  },
} as const;
