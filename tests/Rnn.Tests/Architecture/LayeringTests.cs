using System.Text.RegularExpressions;

namespace Rnn.Tests.Architecture;

/// <summary>
/// Each layer of the code uses only the layers above it in docs/ARCHITECTURE.md's order. A layer is the first
/// namespace segment after <c>Rnn</c>; a use is a <c>using Rnn.X</c> line, or a qualified reference to a type of
/// layer X (<c>Optim.GradientClipping</c>, <c>Rnn.Optim.Adam</c>, a <c>cref</c> in a doc comment).
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>The order of docs/ARCHITECTURE.md: each may use only those before it.</summary>
    public static readonly string[] Order =
        ["IO", "Kernels", "Tensors", "Layers", "Losses", "Optim", "Data", "Models", "Serialization", "Training", "Diagnostics", "Interop", "Cli"];

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?Rnn\.(?<layer>\w+)")]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"^namespace\s+Rnn\.(?<layer>\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^(?:public|internal)\s+(?:(?:static|sealed|abstract|readonly|partial|unsafe|ref|record)\s+)*(?:class|struct|record|interface|enum)\s+(?<type>\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"(?<![\w.])(?:Rnn\.)?(?<layer>[A-Z]\w*)\.(?<type>[A-Z]\w*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("cref=\"(?<target>[^\"]*)\"")]
    private static partial Regex Cref();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Rnn.slnx"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Rnn.slnx.");
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>Every violation in the tree as "file:line: layer A uses layer B (text)".</summary>
    public static List<string> Violations(string root, IEnumerable<string> files)
    {
        var fileList = files.ToList();
        // Which layer declares each type name, so that `Optim.Adam` counts and `checkpoint.Training.Step` does not.
        var typesOf = Order.ToDictionary(l => l, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (string file in fileList)
        {
            string text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is { Success: true } ns && typesOf.TryGetValue(ns.Groups["layer"].Value, out var set))
                foreach (Match t in TypeDeclaration().Matches(text)) set.Add(t.Groups["type"].Value);
        }
        var violations = new List<string>();
        foreach (string file in fileList)
        {
            string[] lines = File.ReadAllLines(file);
            var ns = NamespaceLine().Match(string.Join('\n', lines));
            string relative = Path.GetRelativePath(root, file);
            // A file without a namespace (the CLI's top-level Program.cs) belongs to its project's layer.
            string? ownLayer = ns.Success ? ns.Groups["layer"].Value
                : relative.Replace('\\', '/').StartsWith("src/Rnn.Cli/", StringComparison.Ordinal) ? "Cli" : null;
            if (ownLayer is null) { violations.Add($"{relative}: no namespace Rnn.X declaration"); continue; }
            int own = Array.IndexOf(Order, ownLayer);
            if (own < 0) { violations.Add($"{relative}: namespace layer '{ownLayer}' is not in the order"); continue; }
            for (int i = 0; i < lines.Length; i++)
            {
                void Check(string layer, string what)
                {
                    int used = Array.IndexOf(Order, layer);
                    if (used > own) violations.Add($"{relative}:{i + 1}: {Order[own]} uses {layer} ({what.Trim()})");
                }
                string line = lines[i];
                if (UsingLine().Match(line) is { Success: true } u) { Check(u.Groups["layer"].Value, line); continue; }
                string trimmed = line.TrimStart();
                string code;
                if (trimmed.StartsWith("///", StringComparison.Ordinal))
                    code = string.Join(' ', Cref().Matches(line).Select(m => m.Groups["target"].Value));
                else
                {
                    code = StringLiteral().Replace(line, "\"\"");
                    int comment = code.IndexOf("//", StringComparison.Ordinal);
                    if (comment >= 0) code = code[..comment];
                }
                foreach (Match q in QualifiedName().Matches(code))
                    if (typesOf.TryGetValue(q.Groups["layer"].Value, out var types) && types.Contains(q.Groups["type"].Value))
                        Check(q.Groups["layer"].Value, q.Value);
            }
        }
        return violations;
    }

    [Fact]
    public void Sources_UseOnlyLayersAboveThem()
    {
        string root = RepositoryRoot();
        var violations = Violations(root, SourceFiles(root));
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Violations_UsingOrQualifiedReferenceBelow_AreFound()
    {
        string folder = Directory.CreateTempSubdirectory("rnn-layering-").FullName;
        try
        {
            string low = Path.Combine(folder, "Low.cs"), high = Path.Combine(folder, "High.cs"), io = Path.Combine(folder, "Io.cs");
            File.WriteAllText(low, "using Rnn.Training;\nnamespace Rnn.Optim;\npublic static class Schedule { }\n");
            File.WriteAllText(high, "namespace Rnn.Training;\npublic sealed class Trainer { void F() { var s = nameof(Optim.Schedule); } }\n");
            File.WriteAllText(io, "namespace Rnn.IO;\n/// <summary>See <see cref=\"Training.Trainer\"/>.</summary>\npublic static class Reader { string S = \"Training.Trainer\"; }\n");

            var violations = Violations(folder, [low, high, io]);

            Assert.Equal(2, violations.Count);
            Assert.Contains(violations, v => v.StartsWith("Low.cs:1: Optim uses Training", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.StartsWith("Io.cs:2: IO uses Training", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
