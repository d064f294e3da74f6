// jobwire — command-line front end over the headers (docs/CLI.md).
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <jobwire/version.hpp>

#include "cli.hpp"

using namespace jobwire_cli;

namespace {

void print_tool_help(std::ostream& os) {
  os << "jobwire " << jobwire::version()
     << " — protocol tool for async generation jobs and signed webhooks\n\n"
        "usage: jobwire <command> [options]\n"
        "       jobwire --help | --version\n\n"
        "commands:\n";
  std::size_t width = 0;
  for (const auto& c : commands()) width = std::max(width, c.first.size());
  for (const auto& c : commands())
    os << "  " << c.first << std::string(width - c.first.size() + 2, ' ') << c.second.synopsis << "\n";
  os << "\nRun 'jobwire <command> --help' for a command's options.\n"
        "Exit status: 0 accepted, 1 rejected by the protocol (first line of stdout is the\n"
        "reason code), 2 usage error, 3 I/O error. A value written @FILE is read from FILE,\n"
        "@- from standard input.\n";
}

void print_command_help(const command_spec& spec, std::ostream& os) {
  os << "usage: " << spec.usage << "\n";
  if (!spec.description.empty()) os << "\n" << spec.description << "\n";
  if (!spec.positional_help.empty()) os << "\n" << spec.positional_help << "\n";
  os << "\noptions:\n";
  std::vector<option_spec> all = spec.options;
  // --json is accepted by every command; a command that also lists it is not shown it twice.
  if (std::none_of(all.begin(), all.end(), [](const option_spec& o) { return o.name == opt_json.name; }))
    all.push_back(opt_json);
  all.push_back(option_spec{"--help", "", "show this help", false});
  std::size_t width = 0;
  for (const auto& o : all) width = std::max(width, o.name.size() + (o.metavar.empty() ? 0 : o.metavar.size() + 1));
  for (const auto& o : all) {
    std::string left = o.name + (o.metavar.empty() ? "" : " " + o.metavar);
    os << "  " << left << std::string(width - left.size() + 2, ' ') << o.help << (o.repeatable ? " (repeatable)" : "")
       << "\n";
  }
}

int run_command(const command_spec& spec, int argc, char** argv) {
  invocation inv(spec, std::cout, std::cerr);
  bool only_positional = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-' || arg[1] != '-') {
      inv.add_positional(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help") {
      print_command_help(spec, std::cout);
      return exit_ok;
    }
    if (arg == "--json") {
      inv.set_json(true);
      continue;
    }
    std::string name = arg, inline_value;
    bool has_inline = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline = true;
    }
    const option_spec* found = nullptr;
    for (const auto& o : spec.options)
      if (o.name == name) found = &o;
    if (!found) inv.usage_error("unknown option " + name);
    if (found->metavar.empty()) {
      if (has_inline) inv.usage_error(name + " takes no value");
      inv.add_option(name, "");
    } else {
      if (!has_inline) {
        if (i + 1 >= argc) inv.usage_error(name + " needs a value (" + found->metavar + ")");
        inline_value = argv[++i];
      }
      if (!found->repeatable && inv.has(name)) inv.usage_error(name + " given more than once");
      inv.add_option(name, inline_value);
    }
  }
  if (inv.positional().size() < spec.min_positional) inv.usage_error("missing argument");
  if (inv.positional().size() > spec.max_positional)
    inv.usage_error("unexpected argument '" + inv.positional()[spec.max_positional] + "'");
  return spec.run(inv);
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    if (argc < 2) {
      print_tool_help(std::cerr);
      return exit_usage;
    }
    std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
      print_tool_help(std::cout);
      return exit_ok;
    }
    if (first == "--version") {
      std::cout << "jobwire " << jobwire::version() << "\n";
      return exit_ok;
    }
    auto it = commands().find(first);
    if (it == commands().end()) {
      std::cerr << "jobwire: unknown command '" << first << "'\n\n";
      print_tool_help(std::cerr);
      return exit_usage;
    }
    int rc = run_command(it->second, argc - 2, argv + 2);
    std::cout.flush();
    return rc;
  } catch (const cli_exit& e) {
    std::cout.flush();
    return e.status;
  } catch (const std::exception& e) {
    std::cerr << "jobwire: " << e.what() << "\n";
    return exit_io;
  }
}
