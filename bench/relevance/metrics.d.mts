export type Grades = Record<string, number>;
export function dcg(gains: number[]): number;
export function ndcgAtK(ranked: string[], relevant: Grades, k?: number): number;
export function recallAtK(ranked: string[], relevant: Grades, k?: number): number;
export function reciprocalRank(ranked: string[], relevant: Grades, minGrade?: number): number;
export function mean(values: number[]): number;
