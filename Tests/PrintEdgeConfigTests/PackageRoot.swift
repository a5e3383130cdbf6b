/// The package's root directory, where `config/` and `hardware/profiles/` are.
let packageRoot: String = {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)  // Tests/PrintEdgeConfigTests/PackageRoot.swift
    return components.joined(separator: "/")
}()
