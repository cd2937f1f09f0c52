/**
 * A whole workflow run by n8n-core's real WorkflowExecute, for what only the engine does around a
 * node: Retry On Fail (the retry loop in WorkflowExecute.processRunExecutionData), Continue On Fail
 * and the run going on to the next node.
 *
 *   Source (emits the given items) -> 3CX (the real node, through RoutingNode) -> After (passes items on)
 *
 * Credentials come from the harness's CredentialStore ("database row") and TestCredentialsHelper
 * (n8n cli's CredentialsHelper logic); `credentialLatency` delays credential reads like a slow
 * database, to provoke races between items and executions.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, deepCopy } from 'n8n-workflow';

import {
	CredentialStore,
	CredentialTypeRegistry,
	PACKAGE_NAME,
	TestCredentialsHelper,
	n8nRuntime,
	testAdditionalData,
	threeCxCredentialType,
	threeCxNodeType,
} from '../helpers/harness';
import { sleep } from './timing';

/** TestCredentialsHelper whose reads take `latency(call, raw)` ms, like a database under load. */
export class SlowCredentialsHelper extends TestCredentialsHelper {
	calls = 0;

	constructor(
		registry: CredentialTypeRegistry,
		private readonly latency: (call: number, raw: boolean) => number,
	) {
		super(registry);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.calls += 1;
		const ms = this.latency(this.calls, raw === true);
		if (ms > 0) await sleep(ms);
		return await super.getDecrypted(additionalData, nodeCredentials, type, mode, executeData, raw, expressionResolveValues);
	}
}

function passThroughType(name: string, emit?: () => INodeExecutionData[]): INodeType {
	return {
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: 1,
			description: `${name} (test)`,
			defaults: { name },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			return [emit ? emit() : this.getInputData()];
		},
	};
}

export interface WorkflowOptions {
	/** The 3CX node's parameters. */
	parameters: INodeParameters;
	/** JSON of the items the Source node emits (default one empty item). */
	items?: IDataObject[];
	store: CredentialStore;
	/** Node settings of the 3CX node: retryOnFail, maxTries, waitBetweenTries, continueOnFail, onError. */
	settings?: Partial<INode>;
	credentialLatency?: (call: number, raw: boolean) => number;
	executionId?: string;
}

export interface WorkflowResult {
	run: IRun;
	/** The 3CX node's main output. */
	output: INodeExecutionData[];
	/** What the After node received (undefined when the run stopped at the 3CX node). */
	after: INodeExecutionData[] | undefined;
	/** The execution's error, when it stopped. */
	error: ExecutionError | undefined;
	credentialsHelper: TestCredentialsHelper;
}

/** Runs Source -> 3CX -> After with n8n-core's WorkflowExecute, like a manual execution. */
export async function runWorkflow(options: WorkflowOptions): Promise<WorkflowResult> {
	n8nRuntime();
	const threeCx = threeCxNodeType();
	const credentialType = threeCxCredentialType();
	const registry = new CredentialTypeRegistry([credentialType]);
	const credentialsHelper = options.credentialLatency
		? new SlowCredentialsHelper(registry, options.credentialLatency)
		: new TestCredentialsHelper(registry);
	credentialsHelper.addStore(options.store);

	const sourceItems = (options.items ?? [{}]).map((json) => ({ json: deepCopy(json) }));
	const types: Record<string, INodeType> = {
		'test.source': passThroughType('Source', () => sourceItems),
		'test.after': passThroughType('After'),
		[`${PACKAGE_NAME}.threeCx`]: threeCx,
	};
	const nodeTypes: INodeTypes = {
		getByName: (type) => types[type],
		getByNameAndVersion: (type) => types[type],
		getKnownTypes: () => ({}),
	};
	const nodes: INode[] = [
		{ id: 'a0000000-0000-4000-8000-000000000001', name: 'Source', type: 'test.source', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'a0000000-0000-4000-8000-000000000002',
			name: '3CX',
			type: `${PACKAGE_NAME}.threeCx`,
			typeVersion: 1,
			position: [200, 0],
			parameters: deepCopy(options.parameters),
			credentials: { [options.store.type]: options.store.nodeCredentials },
			...(options.settings ?? {}),
		},
		{ id: 'a0000000-0000-4000-8000-000000000003', name: 'After', type: 'test.after', typeVersion: 1, position: [400, 0], parameters: {} },
	];
	const connections = {
		Source: { main: [[{ node: '3CX', type: NodeConnectionTypes.Main, index: 0 }]] },
		'3CX': { main: [[{ node: 'After', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const workflow = new Workflow({ id: 'reliability', name: 'Reliability', nodes, connections, active: false, nodeTypes, settings: {} });
	const executionId = options.executionId ?? 'reliability-1';
	const workflowData = { id: workflow.id, name: workflow.name, nodes, connections, active: false, settings: {} } as unknown as IWorkflowBase;
	const additionalData = testAdditionalData(credentialsHelper, workflow.id, {
		executionId,
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
	});

	const source = workflow.getNode('Source');
	if (!source) throw new Error('no Source node');
	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: source });
	const runData = run.data.resultData.runData;
	return {
		run,
		output: runData['3CX']?.[0]?.data?.main?.[0] ?? [],
		after: runData.After?.[0]?.data?.main?.[0] ?? undefined,
		error: run.data.resultData.error,
		credentialsHelper,
	};
}
