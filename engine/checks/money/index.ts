// Money reconciliation: per business day and currency, source = destination = bank, to the minor unit.
export { reconcileMoney, reconcileMoneyDays, DAYS_SHOWN, type DayWindow, type ReconcileMoneyInput, type MoneyReconciliation } from './reconcile-money.js';
export { writeReconciliationDays, cleanStreak, type ReconciliationDay, type StreakOptions } from './reconciliation-store.js';
export { readBankStatement, runShellCommand, BANK_COMMAND_TIMEOUT_MS, type BankStatement, type RunCommand, type RunCommandOptions, type CommandOutcome } from './bank-statement.js';
export { toMinor, formatMinor } from './amounts.js';
