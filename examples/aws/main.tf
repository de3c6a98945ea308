# The AWS side of @lms-logging/cloudwatch: the log group the app ships to, an SNS topic for the
# alarms `lms-logs setup` creates, and two least-privilege IAM policies:
#   - shipping: what the app's transport calls (CreateLogGroup, CreateLogStream, PutLogEvents);
#   - setup:    what `lms-logs plan` / `lms-logs setup` call (retention, metric filters, alarms,
#               Logs Insights saved queries, the dashboard).
# Metric filters, alarms, saved queries and the dashboard are NOT created here: `lms-logs setup`
# owns them (it plans, applies, and deletes the ones of disabled alerts).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name

  # Same as the library's default (`/lms/<environment>/<service>`), so the app needs no
  # LMS_CLOUDWATCH_LOG_GROUP.
  log_group_name = "/lms/${var.environment}/${var.service}"

  # The IAM ARN of the group, and the same with ":*" (the form many CloudWatch Logs actions are
  # evaluated against, and the form the `arn` attribute had in older provider versions). Neither
  # matches another group: "/lms/prod/api:*" does not match "/lms/prod/api-2".
  log_group_arn      = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${local.log_group_name}"
  log_group_arns     = [local.log_group_arn, "${local.log_group_arn}:*"]
  log_stream_arn_any = "${local.log_group_arn}:log-stream:*"

  # `lms-logs setup` names alarms lms-<environment>-<service>-<alert id>
  # (packages/cloudwatch/src/setup/provisioner.ts); the dashboard is global (no region in its ARN).
  alarm_name_prefix = "lms-${var.environment}-${var.service}-"
  alarm_arn_pattern = "arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:${local.alarm_name_prefix}*"
  dashboard_arn     = "arn:${local.partition}:cloudwatch::${local.account}:dashboard/${var.dashboard_name}"

  name_prefix = "lms-${var.environment}-${var.service}"
}

# ---------------------------------------------------------------------------------------------
# Log group
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "lms" {
  name              = local.log_group_name
  retention_in_days = var.retention_in_days
}

# ---------------------------------------------------------------------------------------------
# SNS topic for the alarms (LMS_ALERT_SNS_TOPIC_ARN)
# ---------------------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name = "${local.name_prefix}-alarms"
}

# CloudWatch publishes alarm notifications as the cloudwatch.amazonaws.com service principal;
# only this account's lms-<environment>-<service>-* alarms may publish. Principals of this account
# keep managing the topic through their own IAM policies.
data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arn_pattern]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == null ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# ---------------------------------------------------------------------------------------------
# (1) Shipping policy: the app (packages/cloudwatch/src/transport.ts)
# ---------------------------------------------------------------------------------------------
# At start, and again when PutLogEvents answers ResourceNotFoundException (group or stream
# deleted), the transport calls CreateLogGroup, then CreateLogStream, treating
# ResourceAlreadyExistsException as success; then it only calls PutLogEvents. It never calls
# DescribeLogStreams / DescribeLogGroups and sends no sequence tokens.
#
# CreateLogGroup stays although Terraform creates the group: the transport calls it on every
# start, and IAM is checked before existence, so without it the call fails with
# AccessDeniedException instead of the ResourceAlreadyExistsException the library ignores. It is
# also what recreates a deleted group. It is scoped to this one group.

data "aws_iam_policy_document" "shipping" {
  statement {
    sid = "CreateGroupAndStreams"
    actions = [
      "logs:CreateLogGroup",  # resource type: log-group
      "logs:CreateLogStream", # resource type: log-group (the stream is created inside it)
    ]
    resources = local.log_group_arns
  }

  statement {
    sid       = "PutLogEvents"
    actions   = ["logs:PutLogEvents"] # resource type: log-stream
    resources = [local.log_stream_arn_any]
  }
}

resource "aws_iam_policy" "shipping" {
  name        = "${local.name_prefix}-log-shipping"
  description = "lms-logging: ship logs to ${local.log_group_name} (CreateLogGroup, CreateLogStream, PutLogEvents)"
  policy      = data.aws_iam_policy_document.shipping.json
}

# ---------------------------------------------------------------------------------------------
# (2) Setup policy: `lms-logs plan` / `lms-logs setup` (packages/cloudwatch/src/setup/provisioner.ts)
# ---------------------------------------------------------------------------------------------
# plan calls only: DescribeLogGroups, DescribeMetricFilters, DescribeAlarms,
#                  DescribeQueryDefinitions, GetDashboard.
# setup adds:      CreateLogGroup, PutRetentionPolicy, PutMetricFilter, DeleteMetricFilter,
#                  PutMetricAlarm, DeleteAlarms, PutQueryDefinition, PutDashboard.

data "aws_iam_policy_document" "setup" {
  statement {
    sid = "LogGroupRetentionAndMetricFilters"
    actions = [
      "logs:CreateLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DescribeMetricFilters",
      "logs:PutMetricFilter",
      "logs:DeleteMetricFilter",
    ]
    resources = local.log_group_arns
  }

  # DescribeLogGroups is a list call (setup passes logGroupNamePrefix, which IAM does not see):
  # it cannot be narrowed to one group, only to this account and region.
  statement {
    sid       = "FindLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
  }

  # Logs Insights saved queries have no resource type in IAM: Resource must be "*".
  statement {
    sid = "SavedQueries"
    actions = [
      "logs:DescribeQueryDefinitions",
      "logs:PutQueryDefinition",
    ]
    resources = ["*"]
  }

  # Only the alarms named lms-<environment>-<service>-*.
  statement {
    sid = "ManageAlarms"
    actions = [
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:DeleteAlarms",
    ]
    resources = [local.alarm_arn_pattern]
  }

  # DescribeAlarms is a list/read call that is granted on "*".
  statement {
    sid       = "ReadAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["*"]
  }

  statement {
    sid = "Dashboard"
    actions = [
      "cloudwatch:GetDashboard",
      "cloudwatch:PutDashboard",
    ]
    resources = [local.dashboard_arn]
  }
}

resource "aws_iam_policy" "setup" {
  name        = "${local.name_prefix}-log-setup"
  description = "lms-logging: lms-logs plan/setup for ${local.log_group_name} (retention, metric filters, alarms, saved queries, dashboard)"
  policy      = data.aws_iam_policy_document.setup.json
}

resource "aws_iam_role_policy_attachment" "setup" {
  for_each   = toset(var.operator_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.setup.arn
}

# ---------------------------------------------------------------------------------------------
# ECS task role (the app's containers get credentials from it through the SDK's default chain)
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only tasks of this account (confused-deputy protection).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account}:*"]
    }
  }
}

resource "aws_iam_role" "ecs_task" {
  count              = var.create_ecs_task_role ? 1 : 0
  name               = "${local.name_prefix}-task"
  description        = "ECS task role of ${var.service} (${var.environment}): ships logs to ${local.log_group_name}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "ecs_task_shipping" {
  count      = var.create_ecs_task_role ? 1 : 0
  role       = aws_iam_role.ecs_task[0].name
  policy_arn = aws_iam_policy.shipping.arn
}

# ---------------------------------------------------------------------------------------------
# EC2 variant: role + instance profile
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ec2" {
  count              = var.create_ec2_instance_profile ? 1 : 0
  name               = "${local.name_prefix}-ec2"
  description        = "EC2 role of ${var.service} (${var.environment}): ships logs to ${local.log_group_name}"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_role_policy_attachment" "ec2_shipping" {
  count      = var.create_ec2_instance_profile ? 1 : 0
  role       = aws_iam_role.ec2[0].name
  policy_arn = aws_iam_policy.shipping.arn
}

# The CloudWatch agent's metrics (disk_used_percent for the low-disk alarm) without the broad
# CloudWatchAgentServerPolicy: PutMetricData has no resource type, so it is limited by namespace.
# DescribeTags / DescribeVolumes only serve the agent's append_dimensions (InstanceId, ...).
data "aws_iam_policy_document" "ec2_agent_metrics" {
  statement {
    sid       = "PutCWAgentMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["CWAgent"]
    }
  }

  statement {
    sid       = "AgentDimensions"
    actions   = ["ec2:DescribeTags", "ec2:DescribeVolumes"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ec2_agent_metrics" {
  count  = var.create_ec2_instance_profile && var.ec2_cloudwatch_agent_metrics ? 1 : 0
  name   = "cloudwatch-agent-metrics"
  role   = aws_iam_role.ec2[0].id
  policy = data.aws_iam_policy_document.ec2_agent_metrics.json
}

resource "aws_iam_instance_profile" "ec2" {
  count = var.create_ec2_instance_profile ? 1 : 0
  name  = "${local.name_prefix}-ec2"
  role  = aws_iam_role.ec2[0].name
}
