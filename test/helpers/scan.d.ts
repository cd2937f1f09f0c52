export interface ScanLeg {
	leg: 'source' | 'tarball' | 'folder';
	patterns: string[];
	files: number;
	passed: boolean;
	message?: string;
	/** ESLint's stylish report when a rule failed */
	details?: string;
	ms: number;
}
export interface ScanReport {
	scanner: string;
	tarball?: string;
	tarballFiles?: number;
	passed: boolean;
	results: ScanLeg[];
}
export function runScan(args?: string[]): { status: number | null; report: ScanReport | undefined; stderr: string };
export function makeRuleBreakingPackage(): { dir: string; remove: () => void };
