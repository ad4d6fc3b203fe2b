/**
 * A game's Web Communicator on AWS: one stack with the WebCommunicator construct, its channels,
 * the custom authorizer and a topic rule that hands chat to a moderation function. `pnpm synth`
 * synthesizes it offline into `examples/aws-deploy/cdk.out` (esbuild bundles the functions
 * locally; cdk-nag's AwsSolutions checks run and fail the synthesis on any finding);
 * `npx aws-cdk@2 deploy --app examples/aws-deploy/cdk.out` deploys that output (docs/deploying-to-aws.md).
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WebCommunicator } from '@webcomm/aws-service/cdk';
import { DEFAULT_CHANNELS } from '@webcomm/service';

/** Options of {@link main}. */
export interface SynthOptions {
  /** Where the cloud assembly goes. @default examples/aws-deploy/cdk.out */
  readonly outdir?: string;
  /**
   * The custom authorizer's token signing public key (PEM). @default the one in
   * `examples/aws-deploy/.token-signing/`, made on first synthesis (see {@link tokenSigningPublicKey})
   */
  readonly tokenSigningPublicKeyPem?: string;
}

/** The secret the service reads its token signing key from (create it before deploying). */
export const TOKEN_SIGNING_SECRET = 'mygame/prod/webcomm-token-signing-key';

/**
 * The public half of the token signing key pair kept in `dir` (git-ignored), made on first use:
 * upload the private half once with `aws secretsmanager create-secret --name
 * mygame/prod/webcomm-token-signing-key --secret-string file://DIR/token-key.pem`.
 */
export function tokenSigningPublicKey(dir = fileURLToPath(new URL('./.token-signing', import.meta.url))): string {
  const publicPath = join(dir, 'token-key.pub.pem');
  if (existsSync(publicPath)) return readFileSync(publicPath, 'utf8');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'token-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(publicPath, pem);
  console.log(
    `made the token signing key pair in ${dir}; before deploying: aws secretsmanager create-secret --name ${TOKEN_SIGNING_SECRET} --secret-string file://${join(dir, 'token-key.pem')}`,
  );
  return pem;
}

/** What was synthesized. */
export interface SynthSummary {
  readonly outdir: string;
  readonly stack: string;
  /** Resource count per CloudFormation type. */
  readonly resources: Record<string, number>;
  /** Bundled Lambda assets (directories holding index.mjs). */
  readonly bundledFunctions: number;
}

/** Synthesizes the example app and checks the output; throws on any cdk-nag finding or a missing bundle. */
export function main(options: SynthOptions = {}): SynthSummary {
  const outdir = options.outdir ?? fileURLToPath(new URL('./cdk.out', import.meta.url));
  // CDK keeps earlier assets in the output directory: start empty, so it holds this synthesis only.
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = new Stack(app, 'MyGameWebComm', { description: 'Web Communicator service of mygame (prod)' });
  const moderation = new LambdaFunction(stack, 'ChatModeration', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    // A stand-in: a real game logs, scores or filters the chat message here.
    code: Code.fromInline('exports.handler = async (event) => { console.log(JSON.stringify(event)); };'),
  });
  Validations.of(moderation).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The example moderation function only writes its log.',
  });
  new WebCommunicator(stack, 'WebComm', {
    channels: { ...DEFAULT_CHANNELS, project: 'mygame', deployment: 'prod' },
    // Token signing: IoT checks each token's signature before invoking (and billing) the authorizer.
    customAuthorizer: {
      tokenSigningPublicKeyPem: options.tokenSigningPublicKeyPem ?? tokenSigningPublicKey(),
      tokenSigningKey: Secret.fromSecretNameV2(stack, 'TokenSigningKey', TOKEN_SIGNING_SECRET),
    },
    rules: [{ name: 'mygame_prod_chat_moderation', sql: "SELECT * FROM 'mygame/prod/chat'", function: moderation }],
    // In this workspace the functions bundle @webcomm/* from source (the root tsconfig's paths).
    bundling: { tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(`${assembly.directory}/MyGameWebComm.template.json`, 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };
  const resources: Record<string, number> = {};
  for (const resource of Object.values(template.Resources))
    resources[resource.Type] = (resources[resource.Type] ?? 0) + 1;
  const bundledFunctions = readdirSync(assembly.directory).filter(
    (entry) => entry.startsWith('asset.') && readdirSync(`${assembly.directory}/${entry}`).includes('index.mjs'),
  ).length;
  if (bundledFunctions !== 2)
    throw new Error(
      `expected 2 bundled functions (service, authorizer) in ${assembly.directory}, found ${bundledFunctions}`,
    );
  return { outdir: assembly.directory, stack: stack.stackName, resources, bundledFunctions };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = main();
  console.log(
    `synthesized ${summary.stack} into ${summary.outdir}: ${JSON.stringify(summary.resources)}; ${summary.bundledFunctions} functions bundled`,
  );
}
