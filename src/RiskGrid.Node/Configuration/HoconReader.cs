using Akka.Configuration.Hocon;

namespace RiskGrid.Node.Configuration;

/// <summary>
/// The shared half of the project's strict HOCON readers (risk parameters, books): typed access to objects, lists and
/// scalars that collects every problem as an error naming the key and the value, so a bad file is refused with all its
/// problems at once rather than the first.
/// </summary>
internal abstract class HoconReader
{
    private static readonly Dictionary<string, HoconValue> NoEntries = [];

    /// <summary>Every problem found so far, each naming its key.</summary>
    protected List<string> Errors { get; } = [];

    protected HoconObject? Obj(HoconObject? parent, string key, string parentPath)
    {
        var value = parent?.GetKey(key);
        if (parent is not null && IsAbsent(value))
        {
            Errors.Add($"{Path(parentPath, key)}: missing");
            return null;
        }
        return value is null ? null : AsObject(value, Path(parentPath, key));
    }

    protected HoconObject? AsObject(HoconValue? value, string path)
    {
        if (value is null)
        {
            return null;
        }
        if (!value.IsObject())
        {
            Errors.Add($"{path} = {Text(value)}: expected an object");
            return null;
        }
        return value.GetObject();
    }

    protected IList<HoconValue> List(HoconObject? parent, string key, string parentPath)
    {
        var value = parent?.GetKey(key);
        if (parent is null)
        {
            return [];
        }
        if (IsAbsent(value))
        {
            Errors.Add($"{Path(parentPath, key)}: missing");
            return [];
        }
        if (!value!.IsArray())
        {
            Errors.Add($"{Path(parentPath, key)} = {Text(value)}: expected a list");
            return [];
        }
        return value.GetArray();
    }

    /// <summary>A scalar's text, or null (with an error) when absent or not a scalar.</summary>
    protected string? Scalar(HoconObject? parent, string key, string parentPath)
    {
        if (parent is null)
        {
            return null; // the parent's own problem is already reported
        }
        var value = parent.GetKey(key);
        if (IsAbsent(value))
        {
            Errors.Add($"{Path(parentPath, key)}: missing");
            return null;
        }
        if (!value!.IsString())
        {
            Errors.Add($"{Path(parentPath, key)} = {Text(value)}: expected a single value");
            return null;
        }
        return value.GetString();
    }

    protected void Unknown(HoconObject? o, string path, string[] known)
    {
        foreach (var (key, _) in Entries(o))
        {
            if (Array.IndexOf(known, key) < 0)
            {
                Errors.Add($"{Path(path, key)}: unknown key (expected one of {string.Join(", ", known)})");
            }
        }
    }

    protected static Dictionary<string, HoconValue> Entries(HoconObject? o) => o?.Items ?? NoEntries;

    /// <summary>Absent, or HOCON <c>null</c>.</summary>
    protected static bool IsAbsent(HoconValue? value) =>
        value is null || (value.IsString() && value.GetString() is null);

    protected static string Text(HoconValue? value) =>
        value is null ? "null" : value.IsObject() ? "{…}" : value.IsArray() ? "[…]" : value.ToString();

    protected static string Path(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";
}
