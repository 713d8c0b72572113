import { elapsed } from '../../runner/elapsed';
import * as vscode from 'vscode';
import type { RunState, ServiceState, TaskState } from '../../protocol/runRecord';

/** Icons and colours per state, from the theme's testing colours so every theme shows them. */
export function stateIcon(state: TaskState | RunState): vscode.ThemeIcon {
  switch (state) {
    case 'success':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'up_for_retry':
      return new vscode.ThemeIcon('debug-restart', new vscode.ThemeColor('testing.iconQueued'));
    case 'upstream_failed':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed'));
    case 'skipped':
      return new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('testing.iconSkipped'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('testing.iconSkipped'));
    case 'queued':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('testing.iconQueued'));
    case 'no_status':
      return new vscode.ThemeIcon('circle-small', new vscode.ThemeColor('disabledForeground'));
  }
}

/** A service's state, with the icons the Docker extension gives containers (running, stopped). */
export function serviceIcon(state: ServiceState): vscode.ThemeIcon {
  switch (state) {
    case 'starting':
      return new vscode.ThemeIcon('sync~spin');
    case 'ready':
      return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'stopped':
      return new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('testing.iconSkipped'));
  }
}

export function duration(start?: string, end?: string): string {
  return start ? elapsed(start, end) : '';
}
