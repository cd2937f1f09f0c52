/**
 * Runs the 3CX Trigger through n8n-core's REAL polling code, the way n8n 2.41 runs a poll node:
 *
 *   cron tick / activation -> PollTriggerExecutor.create(...)(testingTrigger) (n8n-core)
 *     -> __runPoll staging scope -> TriggersAndPollers.runPollFunction -> node.poll()
 *     -> __emit (items: a workflow execution) or __commitCursor (nothing new) or __emitError
 *   Fetch Test Event -> PollContext in 'manual' mode -> TriggersAndPollers.runPollFunction
 *
 * The pieces that live in n8n's CLI package are small stand-ins for n8n 2.41's
 * TriggerExecutionContextFactory.getExecutePollFunctions:
 * - 'durable' (N8N_POLLER_DURABLE_CURSORS_ENABLED): each poll works on a copy of the committed
 *   static data; the copy is committed with the execution it starts (__emit) or on its own
 *   (__commitCursor), and dropped when the poll throws;
 * - 'legacy': the poll works on the workflow's live static data (what n8n saves with the next
 *   execution), so a node must not change it before it knows the poll succeeded.
 *
 * Credentials come from harness.ts (CredentialStore + TestCredentialsHelper): pass the same store
 * to the action node's runNode to have both nodes share one credential, as in one n8n process.
 */
import { PollContext, PollTriggerExecutor, TriggersAndPollers } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IPollFunctions,
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
import { ThreeCxTrigger } from '../../nodes/ThreeCxTrigger/ThreeCxTrigger.node';

export type CursorMode = 'durable' | 'legacy';

export interface TriggerHarnessOptions {
	parameters: INodeParameters;
	credentials?: ICredentialDataDecryptedObject;
	/** Share a credential (and its token) with other runs, e.g. the action node's runNode. */
	credentialStore?: CredentialStore;
	cursorMode?: CursorMode;
	/** What getPollBudgetMs answers (n8n: lease/timeout ceiling minus a margin). */
	pollBudgetMs?: number;
	/** Another poll node to run the same way (the bench's baseline); default the 3CX Trigger. */
	nodeType?: INodeType;
	nodeTypeName?: string;
	/** The workflow's time zone setting (Settings > Timezone). */
	timezone?: string;
}

export interface PollOutcome {
	/** Items of the execution the poll started (undefined: none started). */
	items?: INodeExecutionData[];
	/** The error the poll reported (__emitError, or thrown in activation/manual mode). */
	error?: Error & { httpCode?: string | null; description?: string | null };
}

export interface TriggerHarness {
	/** The activation poll n8n runs when a workflow is activated (testingTrigger = true). */
	activate(): Promise<PollOutcome>;
	/** One scheduled poll (a cron tick). */
	tick(): Promise<PollOutcome>;
	/** Fetch Test Event in the editor (manual mode). */
	fetchTestEvent(): Promise<PollOutcome>;
	/** The static data n8n has persisted (durable: committed cursor; legacy: live static data). */
	committed(): IDataObject;
	/** n8n deactivates and activates the workflow again (a new poll context; static data as persisted). */
	reactivate(): void;
	/** Executions started so far. */
	executions: INodeExecutionData[][];
	store: CredentialStore;
	node: INode;
}

export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.threeCxTrigger`;

export function createTriggerHarness(options: TriggerHarnessOptions): TriggerHarness {
	const runtime = n8nRuntime();
	const nodeType: INodeType = options.nodeType ?? new ThreeCxTrigger();
	const nodeTypeName = options.nodeTypeName ?? TRIGGER_NODE_TYPE;
	const { store, credentialsHelper } = credentialWorld(options);
	const nodeTypes = oneNodeType(nodeType, nodeTypeName);
	const node: INode = {
		id: 'c3c3c3c3-0000-4000-8000-000000000009',
		name: '3CX Trigger',
		type: nodeTypeName,
		typeVersion: Array.isArray(nodeType.description.version) ? Math.max(...nodeType.description.version) : nodeType.description.version,
		position: [0, 0],
		parameters: deepCopy({ pollTimes: { item: [{ mode: 'everyMinute' }] }, ...options.parameters }),
		credentials: { [store.type]: store.nodeCredentials },
	};
	const workflow = new Workflow({
		id: 'trigger-workflow',
		name: 'Trigger workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		settings: options.timezone ? { timezone: options.timezone } : {},
		staticData: {},
	});
	const workflowNode = workflow.getNode(node.name) ?? node;
	const additionalData = testAdditionalData(credentialsHelper, workflow.id);
	const mode: CursorMode = options.cursorMode ?? 'durable';

	let committed: IDataObject = {};
	let staged: IDataObject | undefined;
	const executions: INodeExecutionData[][] = [];
	let reported: Error | undefined;

	const executor = runtime.Container.get(PollTriggerExecutor);
	const triggersAndPollers = runtime.Container.get(TriggersAndPollers);

	function pollFunctions(executeMode: WorkflowExecuteMode, activation: WorkflowActivateMode): IPollFunctions {
		return new PollContext(
			workflow,
			workflowNode,
			additionalData,
			executeMode,
			activation,
			(data: INodeExecutionData[][]) => {
				// the execution and the cursor it was started with are stored together
				if (mode === 'durable' && staged) committed = deepCopy(staged);
				executions.push(data[0] ?? []);
			},
			(error: Error) => {
				reported = error;
			},
			async () => {
				if (mode === 'durable' && staged) committed = deepCopy(staged);
			},
			async <T>(poll: () => Promise<T>): Promise<T> => {
				staged = mode === 'durable' ? deepCopy(committed) : undefined;
				try {
					return await poll();
				} finally {
					staged = undefined;
				}
			},
			() => (mode === 'durable' && staged ? staged : (workflow.getStaticData('node', workflowNode) as IDataObject)),
			options.pollBudgetMs !== undefined ? () => options.pollBudgetMs as number : undefined,
		);
	}

	// n8n 2.41 creates ONE poll context per activated trigger node and uses it for the activation
	// poll and every scheduled poll (ActiveWorkflowTriggers.activatePollTrigger)
	let scheduled: IPollFunctions | undefined;

	async function run(testingTrigger: boolean, activation: WorkflowActivateMode): Promise<PollOutcome> {
		const before = executions.length;
		reported = undefined;
		scheduled ??= pollFunctions('trigger', activation);
		const functions = scheduled;
		const execute = executor.create(workflow, workflowNode, functions, () => true);
		let error: Error | undefined;
		try {
			await execute(testingTrigger);
		} catch (e) {
			error = e as Error;
		}
		return {
			items: executions.length > before ? executions[executions.length - 1] : undefined,
			error: (error ?? reported) as PollOutcome['error'],
		};
	}

	return {
		activate: async () => await run(true, 'activate'),
		reactivate() {
			scheduled = undefined;
		},
		tick: async () => await run(false, 'activate'),
		async fetchTestEvent() {
			const functions = pollFunctions('manual', 'manual');
			try {
				const result = await triggersAndPollers.runPollFunction(workflow, workflowNode, functions);
				return { items: result?.[0] };
			} catch (e) {
				return { error: e as PollOutcome['error'] };
			}
		},
		committed: () => (mode === 'durable' ? committed : (workflow.getStaticData('node', workflowNode) as IDataObject)),
		executions,
		store,
		node: workflowNode,
	};
}
