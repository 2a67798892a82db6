import { Component, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  onError: (error: Error) => void;
  children?: ReactNode;
}

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * Catches what the template throws while rendering or in effects and hands it
 * to `onError` (the page API turns it into a TEMPLATE_ERROR), then renders
 * nothing: a half-rendered frame must never be captured as if it were good.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    this.props.onError(error instanceof Error ? error : new Error(String(error)));
  }

  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}
