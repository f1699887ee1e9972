/*
 * Small visual building blocks: status icons, level chips, score bars, a
 * sparkline. People would rather look than read.
 */
import {
  CodeSnippet,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  Chip,
  LinearProgress,
  Tooltip,
  Typography,
  TypographyProps,
} from '@material-ui/core';
import { lighten, makeStyles, useTheme } from '@material-ui/core/styles';
import {
  FindingStatus,
  LEVEL_NAMES,
  ReadinessLevel,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** "3 min ago", as people say it; "never" when there is no time. */
export function timeAgo(iso?: string): string {
  if (!iso) return 'never';
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

export const STATUS_LABELS: Record<FindingStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  warn: 'warning',
  skip: 'not applicable',
  unknown: 'unknown',
  waived: 'waived',
};

export function StatusIcon({ status }: { status: FindingStatus }) {
  const label = STATUS_LABELS[status];
  switch (status) {
    case 'pass':
      return <StatusOK>{label}</StatusOK>;
    case 'fail':
      return <StatusError>{label}</StatusError>;
    case 'warn':
      return <StatusWarning>{label}</StatusWarning>;
    case 'unknown':
      return <StatusPending>{label}</StatusPending>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}

// White text on each keeps WCAG AA contrast (4.5:1).
const LEVEL_COLOURS: Record<ReadinessLevel, string> = {
  0: '#c62828',
  1: '#b45309',
  2: '#1565c0',
  3: '#2e7d32',
};

export function LevelChip({
  level,
  mapped = true,
}: {
  level: ReadinessLevel;
  mapped?: boolean;
}) {
  if (!mapped)
    return <Chip size="small" label="Not mapped" variant="outlined" />;
  return (
    <Chip
      size="small"
      label={`Level ${level} · ${LEVEL_NAMES[level]}`}
      style={{ backgroundColor: LEVEL_COLOURS[level], color: '#fff' }}
    />
  );
}

/**
 * A bar of a value out of 100 whose accessible name says what it measures
 * and the value, since the bar alone tells a screen reader nothing.
 */
export function ValueBar(props: {
  value: number;
  name: string;
  colour?: 'primary' | 'secondary';
}) {
  return (
    <LinearProgress
      variant="determinate"
      value={props.value}
      color={props.colour ?? 'primary'}
      aria-label={props.name}
    />
  );
}

/** "cart score 72 of 100", or "score 72 of 100" without a subject. */
const scoreName = (score: number, subject?: string) =>
  `${subject ? `${subject} ` : ''}score ${score} of 100`;

export function ScoreBar({
  score,
  subject,
}: {
  score: number;
  /** What the score is of (a workload, a component), for its accessible name. */
  subject?: string;
}) {
  return (
    <Tooltip
      title={`Score ${score} of 100: passed over applicable checks, weighted by severity`}
    >
      <Box display="flex" alignItems="center" minWidth={140}>
        <Box flexGrow={1} mr={1}>
          <ValueBar
            value={score}
            colour={score < 60 ? 'secondary' : 'primary'}
            name={scoreName(score, subject)}
          />
        </Box>
        <Typography variant="body2">{score}</Typography>
      </Box>
    </Tooltip>
  );
}

// The theme's error colour is too faint for text on both of Backstage's
// themes (3.7:1 on white, 2.7:1 on dark paper); these reach 4.5:1.
const useErrorTextStyles = makeStyles(theme => ({
  root: {
    color:
      theme.palette.type === 'dark'
        ? lighten(theme.palette.error.main, 0.5)
        : theme.palette.error.dark,
  },
}));

/** Text in the error colour, readable on the light and the dark theme. */
export function ErrorText(props: Omit<TypographyProps, 'color' | 'className'>) {
  const classes = useErrorTextStyles();
  return <Typography {...props} className={classes.root} />;
}

/**
 * A snippet to copy, unhighlighted: the syntax colours of Backstage's
 * CodeSnippet (highlight.js' docco and dark styles) fall below WCAG AA
 * contrast, 3:1 and less, in either theme; its plain text does not.
 */
export function PlainCodeSnippet({ text }: { text: string }) {
  return <CodeSnippet language="text" text={text} showCopyCodeButton />;
}

/** A row of coloured segments, e.g. components per level. */
export function DistributionBar({
  parts,
}: {
  parts: Array<{ label: string; value: number; colour: string }>;
}) {
  const total = parts.reduce((s, p) => s + p.value, 0) || 1;
  return (
    <Box>
      <Box
        display="flex"
        height={16}
        borderRadius={4}
        overflow="hidden"
        aria-label="distribution"
      >
        {parts
          .filter(p => p.value > 0)
          .map(p => (
            <Tooltip key={p.label} title={`${p.label}: ${p.value}`}>
              <Box
                style={{
                  width: `${(p.value / total) * 100}%`,
                  backgroundColor: p.colour,
                }}
              />
            </Tooltip>
          ))}
      </Box>
      <Box display="flex" flexWrap="wrap" mt={1}>
        {parts.map(p => (
          <Box key={p.label} display="flex" alignItems="center" mr={2}>
            <Box
              width={10}
              height={10}
              mr={0.5}
              style={{ backgroundColor: p.colour }}
            />
            <Typography variant="caption">
              {p.label}: {p.value}
            </Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}

export const levelParts = (distribution: {
  0: number;
  1: number;
  2: number;
  3: number;
  notMapped: number;
}) => [
  { label: LEVEL_NAMES[3], value: distribution[3], colour: LEVEL_COLOURS[3] },
  { label: LEVEL_NAMES[2], value: distribution[2], colour: LEVEL_COLOURS[2] },
  { label: LEVEL_NAMES[1], value: distribution[1], colour: LEVEL_COLOURS[1] },
  { label: LEVEL_NAMES[0], value: distribution[0], colour: LEVEL_COLOURS[0] },
  { label: 'Not mapped', value: distribution.notMapped, colour: '#9e9e9e' },
];

/** A small line of values over time, 0 to 100, oldest on the left. */
export function Sparkline({
  values,
  width = 240,
  height = 48,
}: {
  values: number[];
  width?: number;
  height?: number;
}) {
  // Colours from the theme, so that the line reads on dark paper too.
  const { palette } = useTheme();
  if (values.length === 0)
    return (
      <Typography variant="body2">
        No history yet: the trend appears after the next scans.
      </Typography>
    );
  // Room for the dots at the edges.
  const pad = 4;
  const x = (i: number) =>
    values.length > 1
      ? pad + (i * (width - 2 * pad)) / (values.length - 1)
      : width / 2;
  const y = (v: number) => pad + (1 - v / 100) * (height - 2 * pad);
  const points = values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label={`trend: ${values.join(', ')}`}
    >
      <rect
        x={0}
        y={0}
        width={width}
        height={height}
        fill={palette.action.hover}
        rx={4}
      />
      <polyline
        points={points}
        fill="none"
        stroke={palette.primary.main}
        strokeWidth={2}
      />
      {values.map((v, i) => (
        <circle key={i} cx={x(i)} cy={y(v)} r={3} fill={palette.primary.main} />
      ))}
    </svg>
  );
}
