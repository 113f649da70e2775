// Glossary: N = rows (time steps) after missing values are handled, F = input columns, T = window length
// (SequenceLength), K = horizon. A window ending at row e reads rows e−T+1..e and is scored on row e+K.
using System.Globalization;

namespace Rnn.Data;

/// <summary>
/// A forecasting series read from a CSV file (<see cref="CsvTable"/>): one row a time step, the
/// <see cref="InputColumns"/> as features and <see cref="TargetColumn"/> as the value to forecast.
/// <list type="bullet">
/// <item>The first column is an index, kept as labels and never read as a value, when the file has at least two
/// columns, the options do not name it, and its values (missing ones aside) are all date-like
/// (<see cref="ForecastDataset"/> accepts <c>YYYY</c>, <c>YYYY-MM</c>, <c>YYYY-MM-DD</c>, <c>YYYYQn</c>, <c>YYYY-Qn</c>
/// and ISO date-times), or any is not a number, or all are numbers rising by one constant step.</item>
/// <item>A column is numeric when its first non-missing value is a number; the default target is the last numeric
/// column that is not the index, the default input that target alone.</item>
/// <item>In the target and input columns every cell must be a finite number or missing (empty, NA, NaN, N/A, null in
/// any case); missing values are refused or handled by <see cref="ForecastOptions.Missing"/>. Other columns are not read.</item>
/// <item>The series needs at least T + K rows, one window.</item>
/// </list>
/// Instances are immutable.
/// </summary>
public sealed class ForecastDataset
{
    private readonly double[] _inputs; // [N, F]
    private readonly double[] _target; // [N]

    private ForecastDataset(ForecastDataset shape, double[] inputs, double[] target)
        : this(shape.Name, shape.IndexColumn, [.. shape.IndexLabels], [.. shape.InputColumns], shape.TargetColumn, inputs, target, shape.SequenceLength, shape.Horizon)
    {
    }

    private ForecastDataset(string name, string? indexColumn, string[] indexLabels, string[] inputColumns, string targetColumn,
        double[] inputs, double[] target, int sequenceLength, int horizon)
    {
        Name = name;
        IndexColumn = indexColumn;
        IndexLabels = indexLabels;
        InputColumns = inputColumns;
        TargetColumn = targetColumn;
        _inputs = inputs;
        _target = target;
        SequenceLength = sequenceLength;
        Horizon = horizon;
    }

    /// <summary>The name the file was read under (its path), as used in messages.</summary>
    public string Name { get; }

    /// <summary>The name of the index column, or null when the first column is read as data.</summary>
    public string? IndexColumn { get; }

    /// <summary>The index label of each row ([N], trimmed), or empty strings when there is no index column.</summary>
    public IReadOnlyList<string> IndexLabels { get; }

    /// <summary>The columns a window reads, in feature order ([F]).</summary>
    public IReadOnlyList<string> InputColumns { get; }

    /// <summary>The column forecast.</summary>
    public string TargetColumn { get; }

    /// <summary>N: the rows of the series.</summary>
    public int RowCount => _target.Length;

    /// <summary>T: the rows a window reads.</summary>
    public int SequenceLength { get; }

    /// <summary>K: how far after a window's last row its target lies.</summary>
    public int Horizon { get; }

    /// <summary>The number of windows, N − T − K + 1: window w ends at row e = T − 1 + w.</summary>
    public int WindowCount => Math.Max(0, RowCount - SequenceLength - Horizon + 1);

    /// <summary>The input values, row-major [N, F]: <c>Inputs[n·F + f]</c> is row n of input column f.</summary>
    public ReadOnlySpan<double> Inputs => _inputs;

    /// <summary>The target column's values [N].</summary>
    public ReadOnlySpan<double> Target => _target;

    /// <summary>Reads the CSV file at <paramref name="path"/>; see <see cref="FromTable"/>.</summary>
    public static ForecastDataset Read(string path, ForecastOptions options) => FromTable(CsvTable.Read(path), options);

    /// <summary>Parses CSV text; see <see cref="FromTable"/>.</summary>
    public static ForecastDataset Parse(string text, string name, ForecastOptions options) => FromTable(CsvTable.Parse(text, name), options);

    /// <summary>Reads the series of <paramref name="table"/> by the rules of <see cref="ForecastDataset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A number of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> names a column the file does not have, or an input twice.</exception>
    /// <exception cref="InvalidDataException">A used cell is not a number (the message names line, column and value), a
    /// value is missing under <see cref="MissingValuePolicy.Refuse"/> or a column has no value at all, no column is
    /// numeric, or the series is shorter than one window.</exception>
    public static ForecastDataset FromTable(CsvTable table, ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string[] named = [.. options.Inputs ?? [], .. options.Target is null ? Array.Empty<string>() : [options.Target]];
        foreach (string column in named)
            if (table.IndexOf(column) < 0)
                throw new ArgumentException($"'{table.Name}' has no column \"{column}\"; its columns are {string.Join(", ", table.Header.Select(h => $"\"{h}\""))}.", nameof(options));
        if (options.Inputs is { } inputs && inputs.Distinct(StringComparer.Ordinal).Count() != inputs.Count)
            throw new ArgumentException("Inputs names a column more than once.", nameof(options));

        bool hasIndex = table.Header.Count >= 2 && !named.Contains(table.Header[0]) && IsIndexColumn(table);
        string target = options.Target ?? DefaultTarget(table, hasIndex ? 1 : 0);
        string[] inputColumns = options.Inputs is { Count: > 0 } given ? [.. given] : [target];
        string[] used = [.. inputColumns.Append(target).Distinct(StringComparer.Ordinal)];

        // One array per used column, NaN where a value is missing.
        var values = used.ToDictionary(c => c, c => ReadColumn(table, table.IndexOf(c), options.Missing), StringComparer.Ordinal);
        string[] labels = [.. table.Rows.Select(r => hasIndex ? r.Fields[0].Trim() : "")];
        if (options.Missing == MissingValuePolicy.Drop)
        {
            bool[] keep = [.. Enumerable.Range(0, labels.Length).Select(n => used.All(c => !double.IsNaN(values[c][n])))];
            foreach (string c in used) values[c] = [.. values[c].Where((_, n) => keep[n])];
            labels = [.. labels.Where((_, n) => keep[n])];
        }
        else if (options.Missing != MissingValuePolicy.Refuse)
        {
            foreach (string c in used)
                if (!MissingValues.Fill(values[c], options.Missing))
                    throw new InvalidDataException($"'{table.Name}': the column \"{c}\" has no value at all, so its missing values cannot be filled.");
        }

        int rows = labels.Length, window = options.SequenceLength + options.Horizon;
        if (options.PredictionInput && rows < options.SequenceLength)
            throw new InvalidDataException($"'{table.Name}' has {rows} usable rows; one window to forecast from needs SequenceLength = {options.SequenceLength}.");
        if (!options.PredictionInput && rows < window)
            throw new InvalidDataException(
                $"'{table.Name}' has {rows} usable rows; one window needs SequenceLength + Horizon = {options.SequenceLength} + {options.Horizon} = {window}.");
        double[] inputMatrix = new double[rows * inputColumns.Length];
        for (int n = 0; n < rows; n++)
            for (int f = 0; f < inputColumns.Length; f++) inputMatrix[n * inputColumns.Length + f] = values[inputColumns[f]][n];
        return new ForecastDataset(table.Name, hasIndex ? table.Header[0] : null, labels, inputColumns, target, inputMatrix, values[target],
            options.SequenceLength, options.Horizon);
    }

    /// <summary>
    /// Writes window <paramref name="window"/>, which ends at row e = T − 1 + window:
    /// <c>inputs[t·F + f]</c> = row e − T + 1 + t of input column f; <c>targets[0]</c> = the target at row e + K when
    /// <paramref name="targets"/> has one element, or <c>targets[k − 1]</c> = the target at row e + k for k = 1..K when
    /// it has K.
    /// </summary>
    /// <param name="inputs">[T, F], row-major.</param>
    /// <param name="targets">[1] or [K].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not in [0, <see cref="WindowCount"/>).</exception>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void FillWindow(int window, Span<double> inputs, Span<double> targets)
    {
        if ((uint)window >= (uint)WindowCount)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"Windows are numbered [0, {WindowCount}).");
        int features = InputColumns.Count, end = SequenceLength - 1 + window;
        if (inputs.Length != SequenceLength * features)
            throw new ArgumentException($"inputs has {inputs.Length} elements; a window has T·F = {SequenceLength * features}.", nameof(inputs));
        if (targets.Length != 1 && targets.Length != Horizon)
            throw new ArgumentException($"targets has {targets.Length} elements; expected 1 or K = {Horizon}.", nameof(targets));
        _inputs.AsSpan((end - SequenceLength + 1) * features, SequenceLength * features).CopyTo(inputs);
        if (targets.Length == Horizon) _target.AsSpan(end + 1, Horizon).CopyTo(targets);
        else targets[0] = _target[end + Horizon];
    }

    /// <summary>
    /// The index labels of the K rows after the last: when every index label is a number and they rise by one constant
    /// step s (to within 1e-9 of s), <c>last + k·s</c> for k = 1..K in invariant notation; otherwise empty.
    /// </summary>
    public IReadOnlyList<string> NextIndexLabels()
    {
        if (IndexColumn is null) return [];
        double[] index = new double[RowCount];
        for (int n = 0; n < RowCount; n++)
            if (!CsvCells.TryParseNumber(IndexLabels[n], out index[n])) return [];
        if (!HasConstantStep(index, out double step)) return [];
        return [.. Enumerable.Range(1, Horizon).Select(k => (index[^1] + k * step).ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Splits the series in time: the last <paramref name="validationFraction"/> of the rows (rounded to the nearest
    /// count) are validation rows. Training windows are those whose target row is a training row; validation windows
    /// those whose target row is a validation row (their inputs may reach back into the training rows).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 1).</exception>
    /// <exception cref="ArgumentException">The training rows hold no whole window.</exception>
    public ForecastSplit Split(double validationFraction)
    {
        int validationRows = ValidationSplit.TailCount(RowCount, validationFraction);
        int trainingRows = RowCount - validationRows;
        int trainingWindows = trainingRows - SequenceLength - Horizon + 1;
        if (trainingWindows <= 0)
            throw new ArgumentException(
                $"ValidationFraction {validationFraction} leaves {trainingRows} training rows of '{Name}', fewer than one window (SequenceLength + Horizon = {SequenceLength + Horizon}).",
                nameof(validationFraction));
        return new ForecastSplit(trainingRows, trainingWindows, WindowCount - trainingWindows);
    }

    /// <summary>
/// Fits <see cref="FeatureScaling"/> to the first <paramref name="trainingRows"/> rows of every input and the target,
/// with the target's one-step naive MAE over them (the MASE scale).
/// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingRows"/> is not in [1, <see cref="RowCount"/>].</exception>
    /// <exception cref="ArgumentException">A column's values are so large that their mean or standard deviation overflows.</exception>
    public FeatureScaling FitScaling(int trainingRows)
    {
        if (trainingRows <= 0 || trainingRows > RowCount)
            throw new ArgumentOutOfRangeException(nameof(trainingRows), trainingRows, $"Must be in [1, {RowCount}].");
        var columns = new List<ColumnScaling>();
        for (int f = 0; f < InputColumns.Count; f++)
            columns.Add(ColumnScaling.Fit(InputColumns[f], Enumerable.Range(0, trainingRows).Select(n => _inputs[n * InputColumns.Count + f])));
        if (!InputColumns.Contains(TargetColumn)) columns.Add(ColumnScaling.Fit(TargetColumn, _target.Take(trainingRows)));
        double? naive = trainingRows >= 2 ? FeatureScaling.OneStepNaiveMae(_target.AsSpan(0, trainingRows)) : null;
        return new FeatureScaling(TargetColumn, columns, naive);
    }

    /// <summary>A copy of this series with every input and the target transformed by <paramref name="scaling"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="scaling"/> lacks one of this series' columns.</exception>
    public ForecastDataset Scale(FeatureScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        double[] inputs = [.. _inputs];
        int features = InputColumns.Count;
        for (int f = 0; f < features; f++)
        {
            ColumnScaling column = scaling.Column(InputColumns[f]);
            for (int n = 0; n < RowCount; n++) inputs[n * features + f] = column.Transform(inputs[n * features + f]);
        }
        ColumnScaling target = scaling.Column(TargetColumn);
        return new ForecastDataset(this, inputs, [.. _target.Select(target.Transform)]);
    }

    private static bool IsIndexColumn(CsvTable table)
    {
        string[] cells = [.. table.Rows.Select(r => r.Fields[0]).Where(c => !CsvCells.IsMissing(c))];
        if (cells.Length == 0) return false;
        if (cells.All(CsvCells.IsDateLike)) return true;
        double[] numbers = new double[cells.Length];
        for (int n = 0; n < cells.Length; n++)
            if (!CsvCells.TryParseNumber(cells[n], out numbers[n])) return true;
        return cells.Length == table.Rows.Count && HasConstantStep(numbers, out double step) && step > 0;
    }

    private static bool HasConstantStep(double[] values, out double step)
    {
        step = values.Length >= 2 ? (values[^1] - values[0]) / (values.Length - 1) : 0;
        if (values.Length < 2) return false;
        double tolerance = 1e-9 * Math.Max(1, Math.Abs(step));
        for (int n = 1; n < values.Length; n++)
            if (Math.Abs(values[n] - values[n - 1] - step) > tolerance) return false;
        return true;
    }

    private static string DefaultTarget(CsvTable table, int firstDataColumn)
    {
        for (int c = table.Header.Count - 1; c >= firstDataColumn; c--)
        {
            string? first = table.Rows.Select(r => r.Fields[c]).FirstOrDefault(cell => !CsvCells.IsMissing(cell));
            if (first is not null && CsvCells.TryParseNumber(first, out _)) return table.Header[c];
        }
        throw new InvalidDataException($"'{table.Name}' has no numeric column to forecast.");
    }

    private static double[] ReadColumn(CsvTable table, int column, MissingValuePolicy missing)
    {
        double[] values = new double[table.Rows.Count];
        for (int n = 0; n < values.Length; n++)
        {
            CsvRow row = table.Rows[n];
            string cell = row.Fields[column];
            if (CsvCells.IsMissing(cell))
            {
                if (missing == MissingValuePolicy.Refuse) throw table.CellError(row, column, "is missing a value and no missing-value policy is set");
                values[n] = double.NaN;
            }
            else if (!CsvCells.TryParseNumber(cell, out values[n]))
                throw table.CellError(row, column, $"holds {DataLines.Show(cell)}, which is not a finite number");
        }
        return values;
    }
}
