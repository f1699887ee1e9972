/*
 * The portal's backend as a test starts it with every permission denied:
 * the reliability suite (plugins/mesh-readiness-backend/src/reliability)
 * runs it as a process to check that no Mesh Readiness endpoint shows an
 * entity the catalog hides from the caller. Not part of the deployed
 * backend, whose entry is src/index.ts.
 */
import { createBackend } from '@backstage/backend-defaults';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

const denyAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deny-all-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle() {
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

const backend = createBackend();
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(denyAllPolicy);
backend.add(import('@mesh-readiness/plugin-mesh-readiness-backend'));
backend.start();
