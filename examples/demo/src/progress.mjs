// Progress while the demo runs: a bar redrawn in place on a terminal, a line per quarter otherwise.
export function createProgress(total, stream = process.stderr) {
  let done = 0;
  let lastQuarter = 0;
  let label = "";
  const tty = stream.isTTY === true;
  const draw = () => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    stream.write(
      `\r  [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}%  ${label.padEnd(16)}`,
    );
  };
  return {
    phase(name) {
      label = name;
      if (tty) draw();
    },
    tick() {
      done++;
      if (tty) {
        if (done % 50 === 0 || done === total) draw();
        return;
      }
      const quarter = Math.floor((done / total) * 4);
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        stream.write(`demo: ${quarter * 25}% of ${total} calls sent (${label})\n`);
      }
    },
    end() {
      if (tty) stream.write("\n");
    },
  };
}
