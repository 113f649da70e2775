// jieba.NET keeps its dictionary in a process-wide singleton, and user words are added to that singleton. Two
// vocabularies with different user dictionaries may live in one process (a test run, a program comparing models), so
// every call into jieba goes through one lock here, and before a cut the singleton is set to hold exactly the base
// dictionary plus the caller's user words: the words of the previous caller are taken out again, each given back the
// frequency it had before. Cuts are therefore serialised; they are cheap next to training.
using System.Reflection;
using System.Runtime.CompilerServices;
using JiebaNet.Segmenter;

namespace Rnn.Data;

/// <summary>The process-wide jieba.NET segmenter and the user words applied to its dictionary.</summary>
internal static class JiebaDictionary
{
    /// <summary>The folder beside the assembly that holds the segmenter's files (copied there by the build).</summary>
    public const string FolderName = "jieba";

    private static readonly string[] RequiredFiles = ["dict.txt", "prob_trans.json", "prob_emit.json"];
    private static readonly object Gate = new();
    private static JiebaSegmenter? _segmenter;
    private static IReadOnlyList<UserWord> _applied = [];
    private static readonly List<(string Word, int Frequency)> _restore = [];

    /// <summary>The version of jieba.NET in use, as its assembly states it ("0.42.2").</summary>
    public static string Version { get; } =
        typeof(JiebaSegmenter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(JiebaSegmenter).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>
    /// Cuts <paramref name="text"/> (a run of <see cref="CjkCharacters.IsSegmenterCharacter"/> characters) in jieba's
    /// accurate mode with its HMM for words missing from the dictionary, with <paramref name="userWords"/> in the dictionary.
    /// </summary>
    /// <exception cref="FileNotFoundException">The segmenter's files are not beside the program.</exception>
    public static List<string> Cut(string text, IReadOnlyList<UserWord> userWords)
    {
        lock (Gate)
        {
            var segmenter = _segmenter ??= Load();
            if (!SameWords(_applied, userWords)) Apply(segmenter, userWords);
            return [.. segmenter.Cut(text, cutAll: false, hmm: true)];
        }
    }

    private static bool SameWords(IReadOnlyList<UserWord> a, IReadOnlyList<UserWord> b) =>
        ReferenceEquals(a, b) || a.SequenceEqual(b);

    private static void Apply(JiebaSegmenter segmenter, IReadOnlyList<UserWord> userWords)
    {
        var dictionary = WordDictionary.Instance;
        // Undo in reverse order, so that a word listed twice gets back the frequency it had before the first listing.
        for (int i = _restore.Count - 1; i >= 0; i--) dictionary.AddWord(_restore[i].Word, _restore[i].Frequency);
        _restore.Clear();
        _applied = [];
        foreach (var word in userWords)
        {
            _restore.Add((word.Word, dictionary.ContainsWord(word.Word) ? dictionary.GetFreqOrDefault(word.Word) : 0));
            // Without a frequency jieba suggests one just high enough for the word to win against its parts.
            segmenter.AddWord(word.Word, word.Frequency ?? 0);
        }
        _applied = userWords;
    }

    private static JiebaSegmenter Load()
    {
        ConfigManager.ConfigFileBaseDir = FindFolder();
        var segmenter = Create();
        // jieba.NET swallows a failure to read its dictionary and then cuts every run into single characters.
        if (!(WordDictionary.Instance.Total > 0))
            throw new InvalidDataException($"The Chinese segmenter's dictionary in {ConfigManager.ConfigFileBaseDir} could not be read.");
        return segmenter;
    }

    // A method of its own: jieba's static state reads the folder when its types are first touched, which must come
    // after the folder is set above, however eagerly the runtime initialises them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JiebaSegmenter Create() => new();

    private static string FindFolder()
    {
        string?[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, FolderName),
            Path.GetDirectoryName(typeof(JiebaDictionary).Assembly.Location) is { Length: > 0 } own ? Path.Combine(own, FolderName) : null,
        ];
        foreach (string? folder in candidates)
            if (folder is not null && RequiredFiles.All(f => File.Exists(Path.Combine(folder, f)))) return folder;
        throw new FileNotFoundException(
            $"The Chinese segmenter's files ({string.Join(", ", RequiredFiles)}) are not in {string.Join(" or ", candidates.Where(c => c is not null).Distinct())}; " +
            "they come with the Rnn package and are copied to the build output.");
    }
}
