/**
 * Runs the 3CX Live Call Trigger through n8n-core's REAL trigger code, the way n8n 2.41 runs a
 * trigger node:
 *
 *   activation -> TriggersAndPollers.runTriggerFunction(..., 'trigger', 'activate')
 *     -> TriggerContext (n8n-core) -> node.trigger() -> emit (a workflow execution) / emitError
 *   closing    -> the response's closeFunction (wrapped by n8n-core)
 *   Listen for Test Event -> runTriggerFunction(..., 'manual', 'manual') with execution hooks ->
 *     manualTriggerFunction() -> manualTriggerResponse (resolves with the first emit)
 *
 * Credentials come from harness.ts (CredentialStore + TestCredentialsHelper): pass the same store
 * to the action node's runNode to share one credential (and its token), as in one n8n process.
 */
import { ExecutionLifecycleHooks, TriggerContext, TriggersAndPollers } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	ITriggerResponse,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow, deepCopy } from 'n8n-workflow';

import {
	CredentialStore,
	PACKAGE_NAME,
	credentialWorld,
	n8nRuntime,
	oneNodeType,
	testAdditionalData,
} from './harness';
import { ensureWebSocket } from './live-calls';
import { ThreeCxLiveCallTrigger } from '../../nodes/ThreeCxLiveCallTrigger/ThreeCxLiveCallTrigger.node';

ensureWebSocket();

export const LIVE_NODE_TYPE = `${PACKAGE_NAME}.threeCxLiveCallTrigger`;

export interface LiveHarnessOptions {
	parameters: INodeParameters;
	credentials?: ICredentialDataDecryptedObject;
	credentialStore?: CredentialStore;
	workflowId?: string;
	/** The node type (plain node, e.g. the bench, must pass it: it would find the codex .node.json first). */
	nodeType?: INodeType;
	/** Called with each execution's items as it starts (the bench times it). */
	onEmit?: (items: IDataObject[]) => void;
}

export interface LiveHarness {
	/** Activates the workflow (trigger mode); rejects when activation fails. */
	activate(): Promise<void>;
	/** Deactivates it (the closeFunction n8n calls). */
	close(): Promise<void>;
	/** Listen for Test Event: resolves with the first emitted items (or rejects with the error). */
	listen(): Promise<INodeExecutionData[][]>;
	/** One entry per execution started: its items' json. */
	executions: IDataObject[][];
	/** Errors reported with emitError. */
	errors: Error[];
	store: CredentialStore;
	node: INode;
	response?: ITriggerResponse;
}

export function createLiveHarness(options: LiveHarnessOptions): LiveHarness {
	const runtime = n8nRuntime();
	const nodeType: INodeType = options.nodeType ?? new ThreeCxLiveCallTrigger();
	const { store, credentialsHelper } = credentialWorld(options);
	const nodeTypes = oneNodeType(nodeType, LIVE_NODE_TYPE);
	const node: INode = {
		id: 'c3c3c3c3-0000-4000-8000-0000000000a1',
		name: '3CX Live Call Trigger',
		type: LIVE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: deepCopy(options.parameters),
		credentials: { [store.type]: store.nodeCredentials },
	};
	const workflow = new Workflow({
		id: options.workflowId ?? 'live-workflow',
		name: 'Live workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		settings: {},
		staticData: {},
	});
	const workflowNode = workflow.getNode(node.name) ?? node;
	const triggersAndPollers = runtime.Container.get(TriggersAndPollers);
	const executions: IDataObject[][] = [];
	const errors: Error[] = [];

	function triggerContext(
		wf: Workflow,
		n: INode,
		additionalData: IWorkflowExecuteAdditionalData,
		mode: WorkflowExecuteMode,
		activation: WorkflowActivateMode,
	) {
		return new TriggerContext(
			wf,
			n,
			additionalData,
			mode,
			activation,
			(data: INodeExecutionData[][]) => {
				const list = (data[0] ?? []).map((item) => item.json);
				executions.push(list);
				options.onEmit?.(list);
			},
			(error: Error) => {
				errors.push(error);
			},
		);
	}

	const harness: LiveHarness = {
		executions,
		errors,
		store,
		node: workflowNode,
		async activate() {
			const additionalData = testAdditionalData(credentialsHelper, workflow.id);
			harness.response = await triggersAndPollers.runTriggerFunction(workflow, workflowNode, triggerContext, additionalData, 'trigger', 'activate');
		},
		async close() {
			await harness.response?.closeFunction?.();
			harness.response = undefined;
		},
		async listen() {
			const hooks = new ExecutionLifecycleHooks('manual', 'test-execution-1', {
				id: workflow.id,
				name: workflow.name ?? 'Live workflow',
				active: false,
				activeVersionId: null,
				isArchived: false,
				nodes: [workflowNode],
				connections: {},
				createdAt: new Date(),
				updatedAt: new Date(),
			} as never);
			const additionalData = testAdditionalData(credentialsHelper, workflow.id, { hooks });
			const response = await triggersAndPollers.runTriggerFunction(workflow, workflowNode, triggerContext, additionalData, 'manual', 'manual');
			harness.response = response;
			await response?.manualTriggerFunction?.();
			return (await response?.manualTriggerResponse) ?? [];
		},
	};
	return harness;
}
